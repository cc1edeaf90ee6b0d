/** Tools stay distinguishable: no two read alike to a model choosing between them (name + description). */
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { similarPairs, terms } from '../../src/tools/similarity.js';

/**
 * The closest pair may not score above this (TF-IDF cosine). Calibrated on the 31 tools of
 * trainer + optimizer + hub + core: the closest were wait_for_training / wait_for_optimization at
 * 0.946 (the same sentence about a different resource), then list_model_versions /
 * get_model_version 0.770 and delete_training_job / delete_optimization_job 0.654. 0.96 leaves a
 * little headroom; a new tool that scores above it repeats a neighbour and needs its own words.
 * With the spark module (35 tools) the closest pair is the same at 0.939; the nearest spark pair
 * is delete_training_job / delete_spark at 0.506. With the pipelines module too (42 tools) the closest pair is
 * still wait_for_training / wait_for_optimization (0.937).
 */
const MAX_SIMILARITY = 0.96;

describe('tool similarity', () => {
  it(`no two tools' name + description score above ${MAX_SIMILARITY}`, () => {
    const pairs = similarPairs(ALL_TOOLS);
    expect(pairs).toHaveLength((ALL_TOOLS.length * (ALL_TOOLS.length - 1)) / 2);
    const tooClose = pairs.filter((p) => p.score > MAX_SIMILARITY);
    expect(tooClose, `too similar: ${JSON.stringify(tooClose)}`).toEqual([]);
  });

  it('scores identical text 1, disjoint text 0, and orders pairs most similar first', () => {
    const pairs = similarPairs([
      { name: 'list_jobs', description: 'List jobs in a namespace.' },
      { name: 'list_jobs_again', description: 'List jobs in a namespace.' },
      { name: 'fetch_weather', description: 'Forecast for tomorrow.' },
    ]);
    expect(pairs[0]).toMatchObject({ a: 'list_jobs', b: 'list_jobs_again' });
    expect(pairs[0]!.score).toBeGreaterThan(0.8);
    expect(pairs.filter((p) => p.a === 'fetch_weather' || p.b === 'fetch_weather').map((p) => p.score)).toEqual([0, 0]);
    expect(
      similarPairs([
        { name: 'x_tool', description: 'Same words.' },
        { name: 'x_tool', description: 'Same words.' },
      ])[0]!.score,
    ).toBe(1);
  });

  it('splits names on underscores, drops stopwords and folds plurals', () => {
    expect(terms('list_training_jobs: the jobs of a namespace')).toEqual(['list', 'training', 'job', 'job', 'namespace']);
  });
});
