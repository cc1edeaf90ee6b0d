/** How Model Registry entities appear in tool outputs. */
import { z } from 'zod';
import type { ArtifactView, ModelView, VersionView } from '../../kubeflow/hub/types.js';

const properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const model = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  owner: z.string().optional(),
  description: z.string().optional(),
  properties,
  created: z.string().optional(),
});
export const version = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  author: z.string().optional(),
  description: z.string().optional(),
  properties,
  created: z.string().optional(),
});
export const artifact = z.object({
  id: z.string(),
  uri: z.string().optional(),
  state: z.string().optional(),
  format: z.string().optional(),
  storage: z.object({ key: z.string().optional(), path: z.string().optional(), service_account: z.string().optional() }).optional(),
  properties,
});

export const modelOut = (m: ModelView): z.infer<typeof model> => ({
  id: m.id,
  name: m.name,
  state: m.state,
  owner: m.owner,
  description: m.description,
  properties: m.properties,
  created: m.createTime,
});
export const versionOut = (v: VersionView): z.infer<typeof version> => ({
  id: v.id,
  name: v.name,
  state: v.state,
  author: v.author,
  description: v.description,
  properties: v.properties,
  created: v.createTime,
});
export const artifactOut = (a: ArtifactView): z.infer<typeof artifact> => ({
  id: a.id,
  uri: a.uri,
  state: a.state,
  format: a.modelFormatName ? `${a.modelFormatName}${a.modelFormatVersion ? ` ${a.modelFormatVersion}` : ''}` : undefined,
  ...(a.storageKey || a.storagePath || a.serviceAccountName
    ? { storage: { key: a.storageKey, path: a.storagePath, service_account: a.serviceAccountName } }
    : {}),
  properties: a.properties,
});

export const props = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
