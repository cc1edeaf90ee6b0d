/** The policy/config file: validation with file:line:column, and what the policy then allows. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/file.js';
import { resolveSettings } from '../../src/config/settings.js';
import { Policy } from '../../src/policy/policy.js';
import { ToolError } from '../../src/tools/contract.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { configFile } from '../support/inprocess.js';

const parse = (yaml: string) => parseConfig(yaml, 'cfg.yaml', ALL_TOOLS);
const problem = (yaml: string) => {
  try {
    parse(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('config file validation', () => {
  it('accepts the KEP-936 example', () => {
    const cfg = parse(`
server:
  clients: [trainer]
  persona: ml-engineer
  namespaces: [ml-team-dev, ml-team-prod]
policy:
  allow: [category:discovery, category:monitoring, category:planning, fine_tune]
  deny: [risk:destructive, delete_*]
  namespaces: [ml-team-dev, ml-team-prod]
  read_only: false
trainer:
  default_runtime: torch-distributed
`);
    expect(cfg.policy?.deny).toEqual(['risk:destructive', 'delete_*']);
  });

  it('points at the line of an unknown key and lists the allowed ones', () => {
    const msg = problem('server:\n  persona: readonly\n  namespacez: [a]\n');
    expect(msg).toMatch(/^cfg\.yaml:2:3: server: Unrecognized key: "namespacez"/);
    expect(msg).toMatch(/allowed here: clients, .*persona, namespaces/);
  });

  it('points at a wrong value', () => {
    expect(problem('policy:\n  read_only: maybe\n')).toMatch(/^cfg\.yaml:2:14: policy\.read_only: /);
  });

  it('catches rules that match no tool (typos)', () => {
    const msg = problem('policy:\n  deny:\n    - delte_*\n    - category:trainnig\n    - colour:red\n');
    expect(msg).toContain("cfg.yaml:3:7: policy.deny[0] 'delte_*': matches no tool");
    expect(msg).toContain("cfg.yaml:4:7: policy.deny[1] 'category:trainnig': no tool has category 'trainnig' (known: ");
    expect(msg).toContain("unknown selector 'colour:'");
  });

  it('checks custom personas: unknown parent, cycles, redefined built-ins', () => {
    expect(problem('personas:\n  lab:\n    inherit: wizard\n')).toContain("cfg.yaml:3:14: personas.lab.inherit: unknown persona 'wizard'");
    expect(problem('personas:\n  a:\n    inherit: b\n  b:\n    inherit: a\n')).toContain('inheritance cycle');
    expect(problem('personas:\n  readonly:\n    tools: ["*"]\n')).toContain('redefines a built-in persona');
    expect(problem('server:\n  persona: lab\n')).toContain("server.persona: unknown persona 'lab'");
  });

  it('checks the default algorithm against the ones optimize supports, and the default runtime is a name', () => {
    expect(problem('optimizer:\n  default_algorithm: bayesian\n')).toBe(
      'cfg.yaml:2:22: optimizer.default_algorithm: must be one of: random, grid, tpe, multivariate-tpe, bayesianoptimization, cmaes, sobol, hyperband',
    );
    expect(problem('trainer:\n  default_runtime: Torch Distributed\n')).toMatch(/^cfg\.yaml:2:20: trainer\.default_runtime: must be a runtime name/);
    expect(parse('trainer:\n  default_runtime: torch-distributed\noptimizer:\n  default_algorithm: tpe\n')).toMatchObject({
      optimizer: { default_algorithm: 'tpe' },
    });
  });

  it('reports YAML syntax errors with a position', () => {
    expect(problem('server:\n  clients: [trainer\n')).toMatch(/^cfg\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('policy decisions', () => {
  const names = (p: Policy) => p.visible(ALL_TOOLS).map((t) => t.name);

  it('deny removes tools by risk, glob and name; allow narrows to what it lists', () => {
    const p = new Policy('platform-admin', { deny: ['risk:destructive', 'run_container_*'] });
    expect(names(p)).not.toContain('delete_training_job');
    expect(names(p)).not.toContain('suspend_training_job');
    expect(names(p)).not.toContain('run_container_training');
    expect(p.whyNot(ALL_TOOLS.find((t) => t.name === 'delete_training_job')!)).toBe('denied by policy');
    const only = new Policy('platform-admin', { allow: ['category:discovery', 'fine_tune'] });
    expect(names(only).sort()).toEqual(
      expect.arrayContaining([
        'fine_tune',
        'get_runtime',
        'get_runtime_packages',
        'get_training_job',
        'list_runtimes',
        'list_training_jobs',
        'list_models',
        'get_best_results',
      ]),
    );
    expect(names(only)).not.toContain('run_custom_training');
    expect(names(only).every((n) => n === 'fine_tune' || ALL_TOOLS.find((t) => t.name === n)!.category === 'discovery')).toBe(true);
  });

  it('read_only keeps read tools only, whatever the persona', () => {
    const p = new Policy('platform-admin', { readOnly: true });
    expect(p.visible(ALL_TOOLS).every((t) => t.risk === 'read')).toBe(true);
    expect(p.whyNot(ALL_TOOLS.find((t) => t.name === 'fine_tune')!)).toContain('read-only');
  });

  it('a persona never gains tools from allow', () => {
    const p = new Policy('readonly', { allow: ['fine_tune'] });
    expect(names(p)).toEqual([]);
  });

  it('custom personas inherit, add tools by glob, and may act on any job or own jobs only', () => {
    const p = new Policy('lab-lead', {
      personas: {
        'lab-member': { inherit: 'data-scientist', tools: ['suspend_*'] },
        'lab-lead': { inherit: 'lab-member', tools: ['resume_training_job'], ownJobsOnly: false },
      },
    });
    expect(names(p)).toEqual(expect.arrayContaining(['fine_tune', 'suspend_training_job', 'resume_training_job', 'list_runtimes']));
    expect(names(p)).not.toContain('run_container_training');
    expect(p.persona.ownJobsOnly).toBe(false);
    expect(new Policy('lab-member', { personas: { 'lab-member': { inherit: 'data-scientist', tools: [] } } }).persona.ownJobsOnly).toBe(true);
  });

  it('namespace allow-list with globs', () => {
    const p = new Policy('ml-engineer', { namespaces: ['ml-team-*', 'sandbox'] });
    expect(() => p.checkNamespace('ml-team-dev')).not.toThrow();
    expect(() => p.checkNamespace('sandbox')).not.toThrow();
    for (const ns of ['kube-system', 'ml-team', 'sandbox2', 'default']) {
      const err = (() => {
        try {
          p.checkNamespace(ns);
        } catch (e) {
          return e as ToolError;
        }
      })();
      expect(err?.code).toBe('namespace_not_allowed');
      expect(err?.hint).toContain('ml-team-*, sandbox');
    }
  });
});

describe('settings', () => {
  it('flags override the file, the file overrides defaults', () => {
    const file = configFile('server:\n  persona: readonly\n  audit_log: "off"\n  rate_limit: { per_second: 5 }\n');
    expect(resolveSettings({ config: file }, ALL_TOOLS)).toMatchObject({ persona: 'readonly', auditLog: 'off', rateLimit: { perSecond: 5, burst: 50 } });
    expect(resolveSettings({ config: file, persona: 'ml-engineer' }, ALL_TOOLS).persona).toBe('ml-engineer');
  });

  it('refuses HTTP on a non-loopback address without authentication unless told', () => {
    const file = configFile();
    expect(() => resolveSettings({ config: file, transport: 'http', host: '0.0.0.0' }, ALL_TOOLS)).toThrow(
      /refusing to serve HTTP on 0\.0\.0\.0 without authentication/,
    );
    // A gateway off loopback must be told apart from every other caller (issue 8 item 2).
    expect(() => resolveSettings({ config: file, transport: 'http', host: '0.0.0.0', auth: 'gateway' }, ALL_TOOLS)).toThrow(
      /--gateway-secret-file.*--gateway-trusted-proxies/,
    );
    expect(
      resolveSettings({ config: file, transport: 'http', host: '0.0.0.0', auth: 'gateway', gatewayTrustedProxies: ['10.0.0.0/8'] }, ALL_TOOLS).auth.mode,
    ).toBe('gateway');
    expect(resolveSettings({ config: file, transport: 'http', host: '127.0.0.1', auth: 'gateway' }, ALL_TOOLS).auth.gateway).toMatchObject({
      userHeader: 'kubeflow-userid',
      groupsHeader: 'kubeflow-groups',
    });
    expect(resolveSettings({ config: file, transport: 'http', host: '0.0.0.0', allowUnauthenticated: true }, ALL_TOOLS).host).toBe('0.0.0.0');
  });

  it('rate limit: default 100/s with a 10 s burst, 0 turns it off', () => {
    expect(resolveSettings({ config: configFile() }, ALL_TOOLS).rateLimit).toEqual({ perSecond: 100, burst: 1000 });
    expect(resolveSettings({ config: configFile(), rateLimit: 0 }, ALL_TOOLS).rateLimit).toBeUndefined();
    expect(resolveSettings({ config: configFile('server:\n  rate_limit: { per_second: 0 }\n') }, ALL_TOOLS).rateLimit).toBeUndefined();
  });

  it('the gateway takes one user header and one groups header: the old lists are refused with the allowed keys', () => {
    const file = configFile('server:\n  auth:\n    mode: gateway\n    gateway:\n      user_headers: [x-forwarded-user, x-user-email]\n');
    expect(() => resolveSettings({ config: file }, ALL_TOOLS)).toThrow(/user_headers[\s\S]*user_header, groups_header/);
    const bad = configFile('server:\n  auth:\n    mode: gateway\n    gateway:\n      trusted_proxies: [gateway.local]\n');
    expect(() => resolveSettings({ config: bad }, ALL_TOOLS)).toThrow(/IP address or CIDR range/);
  });

  it('trainer.default_runtime and optimizer.default_algorithm become the call defaults, saying where they were set', () => {
    const file = configFile('trainer:\n  default_runtime: my-torch\noptimizer:\n  default_algorithm: sobol\n');
    expect(resolveSettings({ config: file }, ALL_TOOLS).defaults).toEqual({
      runtime: { name: 'my-torch', setBy: `trainer.default_runtime in ${file}` },
      algorithm: 'sobol',
    });
    expect(resolveSettings({ config: configFile() }, ALL_TOOLS).defaults).toEqual({ runtime: { name: 'torch-distributed' }, algorithm: 'random' });
  });

  it('oauth mode needs an issuer', () => {
    expect(() => resolveSettings({ config: configFile(), auth: 'oauth' }, ALL_TOOLS)).toThrow(/--oauth-issuer/);
  });

  it('a missing explicit config file is an error; a missing default one is not', () => {
    expect(() => resolveSettings({ config: '/nonexistent/kfmcp.yaml' }, ALL_TOOLS)).toThrow(/config file not found/);
  });
});
