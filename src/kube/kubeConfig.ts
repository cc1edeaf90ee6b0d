/**
 * The one part of @kubernetes/client-node the server uses: its kubeconfig loader (files, merge,
 * in-cluster, exec and auth-provider credentials, proxy agents). Imported through this module so
 * the bundle keeps only what KubeConfig needs (scripts/build.mjs), not the generated API clients.
 */
export { KubeConfig } from '@kubernetes/client-node';
