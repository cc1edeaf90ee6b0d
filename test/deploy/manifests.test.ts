/**
 * deploy/: every overlay renders with `kubectl kustomize`, every object validates against the
 * Kubernetes OpenAPI schemas (kubernetes-models; Istio's from @kubernetes-models/istio), and the
 * server configuration each overlay ships is one the server itself accepts: the container's
 * arguments through the real CLI parser, the ConfigMap's file through the real config loader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/program.js';
import { resolveSettings, type ServeFlags } from '../../src/config/settings.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';

const root = path.resolve(import.meta.dirname, '../../deploy');
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
}

function render(dir: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (path.basename(dir).startsWith('.render-')) rmSync(dir, { recursive: true });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

const OVERLAYS: Record<string, () => string> = {
  'single-user': () => path.join(root, 'overlays/single-user'),
  gateway: () => path.join(root, 'overlays/gateway'),
  oidc: () => path.join(root, 'overlays/oidc'),
  // The gateway overlay with the shared-secret component, as docs/deploy.md shows.
  'gateway-secret': () => {
    const dir = mkdtempSync(path.join(root, '.render-'));
    writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../overlays/gateway]\ncomponents: [../components/gateway-secret]\n',
    );
    return dir;
  },
};

async function model(obj: Obj): Promise<{ validate(): void } | undefined> {
  const slash = obj.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : obj.apiVersion.slice(0, slash);
  const version = obj.apiVersion.slice(slash + 1);
  const mod = group.endsWith('istio.io') ? `@kubernetes-models/istio/${group}/${version}` : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const classes = (await import(mod)) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = classes[obj.kind];
  return Model ? new Model(obj) : undefined;
}

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding']);
const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

describe.each(Object.keys(OVERLAYS))('deploy overlay %s', (name) => {
  const objs = render(OVERLAYS[name]!());
  const deployment = byKind(objs, 'Deployment')[0] as Obj & { spec: any };
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('renders objects that all validate against their schemas', async () => {
    expect(objs.length).toBeGreaterThanOrEqual(8);
    for (const obj of objs) {
      const m = await model(obj);
      expect(m, `${obj.apiVersion} ${obj.kind} has a schema`).toBeDefined();
      expect(() => m!.validate(), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
    }
  });

  it('puts the server in the kubeflow namespace', () => {
    for (const obj of objs.filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.kind !== 'RoleBinding')) {
      expect(obj.metadata.namespace, `${obj.kind}/${obj.metadata.name}`).toBe('kubeflow');
    }
  });

  it('runs the server non-root, read-only, without privileges, probed on /healthz and /readyz', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.limits.memory).toBeDefined();
    expect(pod.serviceAccountName).toBe('kubeflow-mcp');
    expect(deployment.spec.replicas).toBeGreaterThan(1);
  });

  it('selects its pods with the Service, the NetworkPolicy and the PodDisruptionBudget', () => {
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    const svc = byKind(objs, 'Service')[0] as any;
    const np = byKind(objs, 'NetworkPolicy')[0] as any;
    const pdb = byKind(objs, 'PodDisruptionBudget')[0] as any;
    expect(matches(svc.spec.selector)).toBe(true);
    expect(matches(np.spec.podSelector.matchLabels)).toBe(true);
    expect(matches(pdb.spec.selector.matchLabels)).toBe(true);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toHaveLength(1);
  });

  it('ships arguments and a config file the server accepts', async () => {
    const cm = byKind(objs, 'ConfigMap').find((c) => c.metadata.name.startsWith('kubeflow-mcp-config')) as Obj & { data: Record<string, string> };
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'config');
    expect(pod.volumes.find((v: { name: string }) => v.name === 'config').configMap.name).toBe(cm.metadata.name);
    const dir = mkdtempSync(path.join(tmpdir(), 'kmcp-deploy-'));
    writeFileSync(path.join(dir, 'config.yaml'), cm.data['config.yaml']!);
    writeFileSync(path.join(dir, 'secret'), 'a'.repeat(64));
    const args = (container.args as string[]).map((a) => a.replace('/etc/kubeflow-mcp/gateway', dir).replace(mount.mountPath, dir));
    let flags: ServeFlags | undefined;
    const cli = buildCli().exitOverride();
    cli.commands.find((c) => c.name() === 'serve')!.action((o: ServeFlags) => void (flags = o));
    await cli.parseAsync(['node', 'kubeflow-mcp', ...args]);
    const settings = resolveSettings(flags!, ALL_TOOLS);
    expect(settings.transport).toBe('http');
    expect(settings.host).toBe('0.0.0.0');
    const mode = name.startsWith('gateway') ? 'gateway' : name === 'oidc' ? 'oauth' : 'none';
    expect(settings.auth.mode).toBe(mode);
    if (mode === 'gateway') {
      // The server would refuse a gateway it cannot tell apart from any other caller.
      expect(settings.auth.gateway).toMatchObject({ userHeader: 'kubeflow-userid', groupsHeader: 'kubeflow-groups', trustedProxies: ['127.0.0.6'] });
      if (name === 'gateway-secret') {
        expect(settings.auth.gateway.secretFile).toBe(path.join(dir, 'secret'));
        expect(pod.volumes.find((v: { name: string }) => v.name === 'gateway-secret').secret.secretName).toBe('kubeflow-mcp-gateway');
      }
    }
    // The server's drain ends, and the audit log closes, before the kubelet's SIGKILL.
    expect(pod.terminationGracePeriodSeconds - settings.shutdownGraceSeconds).toBeGreaterThanOrEqual(5);
  });

  it('gives the server exactly the Kubernetes rights its mode needs', () => {
    const roles = byKind(objs, 'ClusterRole') as Array<Obj & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }>;
    const impersonator = roles.find((r) => r.metadata.name === 'kubeflow-mcp-impersonator');
    if (name === 'single-user') {
      expect(impersonator).toBeUndefined();
      const verbs = roles.flatMap((r) => r.rules.flatMap((rule) => rule.verbs));
      expect(verbs).not.toContain('impersonate');
      expect(roles.flatMap((r) => r.rules.flatMap((rule) => rule.resources))).not.toContain('secrets');
      const rb = byKind(objs, 'RoleBinding')[0] as any;
      expect(rb.metadata.namespace).toBe('kubeflow-user-example-com');
      return;
    }
    expect(roles.map((r) => r.metadata.name)).toEqual(['kubeflow-mcp-impersonator']);
    expect(impersonator!.rules).toEqual([
      { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
    const binding = byKind(objs, 'ClusterRoleBinding')[0] as any;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubeflow-mcp', namespace: 'kubeflow' }]);
    expect(byKind(objs, 'RoleBinding')).toHaveLength(0);
  });

  if (name.startsWith('gateway')) {
    it('admits only the Istio ingress gateway with a verified token, and writes the identity headers from it', () => {
      const authz = byKind(objs, 'AuthorizationPolicy')[0] as any;
      const reqAuthn = byKind(objs, 'RequestAuthentication')[0] as any;
      expect(authz.spec.action).toBe('ALLOW');
      const mcpRule = authz.spec.rules.find((r: any) => r.to[0].operation.paths.includes('/mcp'));
      expect(mcpRule.from[0].source.requestPrincipals).toEqual(['*']);
      expect(mcpRule.from[0].source.principals).toHaveLength(1);
      const cm = byKind(objs, 'ConfigMap')[0] as any;
      const headers = reqAuthn.spec.jwtRules[0].outputClaimToHeaders.map((h: { header: string }) => h.header);
      for (const h of headers) expect(cm.data['config.yaml']).toContain(h);
      expect(deployment.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    });
  }
});
