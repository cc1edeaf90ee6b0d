/**
 * What a server may do, from its persona and the policy file: which tools exist for callers
 * (hidden AND refused otherwise), which namespaces calls may touch, and whether callers may act on
 * other people's jobs.
 */
import { ToolError, type AnyToolSpec } from '../tools/contract.js';
import type { PersonaDef } from './personas.js';
import { Personas, type ResolvedPersona } from './personas.js';
import { compileRule, globToRegExp, type Rule } from './rules.js';

export interface PolicyConfig {
  allow?: string[];
  deny?: string[];
  namespaces?: string[];
  readOnly?: boolean;
  /** How writes are confirmed (default auto): see server/confirmation.ts. */
  confirmation?: ConfirmationSetting;
  personas?: Record<string, PersonaDef>;
}

export type ConfirmationSetting = 'auto' | 'argument' | 'require-user';

export class Policy {
  readonly persona: ResolvedPersona;
  readonly confirmation: ConfirmationSetting;
  private readonly allow?: Rule[];
  private readonly deny: Rule[];
  private readonly namespaces?: RegExp[];

  constructor(
    personaName: string,
    private readonly cfg: PolicyConfig = {},
  ) {
    this.persona = new Personas(cfg.personas).resolve(personaName);
    this.confirmation = cfg.confirmation ?? 'auto';
    this.allow = cfg.allow?.length ? cfg.allow.map(compileRule) : undefined;
    this.deny = (cfg.deny ?? []).map(compileRule);
    this.namespaces = cfg.namespaces?.length ? cfg.namespaces.map(globToRegExp) : undefined;
  }

  /** Why a tool is unavailable, or undefined when it is available. */
  whyNot(tool: AnyToolSpec): string | undefined {
    if (!this.persona.allows(tool.name)) return `not available to the '${this.persona.name}' persona`;
    if (this.cfg.readOnly && tool.risk !== 'read') return 'the server is read-only (policy read_only: true)';
    if (this.allow && !this.allow.some((r) => r(tool))) return 'not in the policy allow list';
    if (this.deny.some((r) => r(tool))) return 'denied by policy';
    return undefined;
  }

  visible(tools: readonly AnyToolSpec[]): AnyToolSpec[] {
    return tools.filter((t) => !this.whyNot(t));
  }

  /** Refuses namespaces outside the allow list (globs allowed, e.g. "ml-*"). */
  checkNamespace(namespace: string): void {
    if (!this.namespaces || this.namespaces.some((re) => re.test(namespace))) return;
    throw new ToolError(
      'namespace_not_allowed',
      `Namespace '${namespace}' is not allowed by this server's policy.`,
      `Use one of: ${this.cfg.namespaces!.join(', ')}.`,
    );
  }
}
