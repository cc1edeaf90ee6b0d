/** How Model Registry entities appear in tool outputs. */
import { z } from 'zod';
import type { ArtifactView, ModelView, VersionView } from '../../kubeflow/hub/types.js';
import { fields, kv } from '../render.js';

const properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A model and a version carry the same fields, but for who made them: a model's owner, a version's author. */
const named = { id: z.string(), name: z.string(), state: z.string() };
const described = { description: z.string().optional(), properties, created: z.string().optional() };
export const model = z.object({ ...named, owner: z.string().optional(), ...described });
export const version = z.object({ ...named, author: z.string().optional(), ...described });
export const artifact = z.object({
  id: z.string(),
  uri: z.string().optional(),
  state: z.string().optional(),
  format: z.string().optional(),
  storage: z.object({ key: z.string().optional(), path: z.string().optional(), service_account: z.string().optional() }).optional(),
  properties,
});

const common = (e: ModelView | VersionView) => ({
  id: e.id,
  name: e.name,
  state: e.state,
  description: e.description,
  properties: e.properties,
  created: e.createTime,
});
export const modelOut = (m: ModelView): z.infer<typeof model> => ({ ...common(m), owner: m.owner });
export const versionOut = (v: VersionView): z.infer<typeof version> => ({ ...common(v), author: v.author });
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

/** "a=1 b=x" */
export const props = (p: Record<string, unknown>) => kv(p, ' ');

/** A model's or version's key/value lines: `who` is its owner or its author. */
export function renderNamed(kind: 'model' | 'version', e: z.infer<typeof model> | z.infer<typeof version>, who: [string, string | undefined]): string {
  return fields([[kind, `${e.name} (id ${e.id})`], ['state', e.state], who, ['description', e.description], ['properties', props(e.properties)]]);
}
