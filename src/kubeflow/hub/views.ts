/** Registry entities → the plain views the client returns (ISO times, typed properties). */
import { decodeProperties } from './properties.js';
import type { ArtifactView, ModelArtifact, ModelVersion, ModelView, RegisteredModel, VersionView } from './types.js';

function iso(ms: string | undefined): string | undefined {
  if (!ms || !/^\d+$/.test(ms)) return undefined;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function common(e: RegisteredModel | ModelVersion | ModelArtifact) {
  const { properties, dropped } = decodeProperties(e.customProperties);
  return {
    id: e.id ?? '',
    properties,
    ...(dropped.length ? { droppedProperties: dropped } : {}),
    ...(iso(e.createTimeSinceEpoch) ? { createTime: iso(e.createTimeSinceEpoch) } : {}),
    ...(iso(e.lastUpdateTimeSinceEpoch) ? { updateTime: iso(e.lastUpdateTimeSinceEpoch) } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.externalId !== undefined ? { externalId: e.externalId } : {}),
  };
}

export function modelView(m: RegisteredModel): ModelView {
  return { ...common(m), name: m.name ?? '', ...(m.owner !== undefined ? { owner: m.owner } : {}), state: m.state ?? 'LIVE' };
}

export function versionView(v: ModelVersion): VersionView {
  return {
    ...common(v),
    name: v.name ?? '',
    modelId: v.registeredModelId ?? '',
    ...(v.author !== undefined ? { author: v.author } : {}),
    state: v.state ?? 'LIVE',
  };
}

export function artifactView(a: ModelArtifact): ArtifactView {
  const pick = <K extends keyof ModelArtifact>(k: K) => (a[k] !== undefined ? { [k]: a[k] } : {});
  return {
    ...common(a),
    ...pick('name'),
    ...pick('uri'),
    ...pick('state'),
    ...pick('modelFormatName'),
    ...pick('modelFormatVersion'),
    ...pick('storageKey'),
    ...pick('storagePath'),
    ...pick('serviceAccountName'),
  };
}
