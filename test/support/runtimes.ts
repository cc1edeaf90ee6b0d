/** The Trainer v2.3.0 runtime manifests from test/fixtures, parsed. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { TrainingRuntimeObject } from '../../src/kubeflow/trainer/types.js';

export const TRAINER_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/kubeflow-api/trainer/v2.3.0');
export const TRAINJOB_CRD = path.join(TRAINER_FIXTURES, 'crds/trainer.kubeflow.org_trainjobs.yaml');

/** Every runtime object in runtimes/ (kustomizations skipped), keyed by metadata.name. */
export function loadRuntimeFixtures(): Map<string, { file: string; obj: TrainingRuntimeObject }> {
  const out = new Map<string, { file: string; obj: TrainingRuntimeObject }>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.yaml')) {
        for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) {
          const obj = doc.toJS() as TrainingRuntimeObject | null;
          if (obj?.kind === 'ClusterTrainingRuntime' || obj?.kind === 'TrainingRuntime') {
            out.set(obj.metadata.name!, { file: path.relative(TRAINER_FIXTURES, p), obj });
          }
        }
      }
    }
  };
  walk(path.join(TRAINER_FIXTURES, 'runtimes'));
  return out;
}
