/**
 * How alike two tools read to a model choosing between them: TF-IDF cosine over each tool's name
 * and description (offline, deterministic). The similarity test bounds the closest pair, and
 * `kubeflow-mcp tools list --similar` prints the closest pairs, so tools stay distinguishable as
 * modules are added (KEP-936's mcp-tef check, done in-repo).
 */

/** Words that carry no meaning for telling tools apart. */
const STOPWORDS = new Set(
  'a an and are as at be by for from has have in into is it its of on or that the then this to with without when where which who will you your use one each any all'.split(
    ' ',
  ),
);

export interface ToolText {
  name: string;
  description: string;
}

export interface SimilarPair {
  a: string;
  b: string;
  /** Cosine of the two TF-IDF vectors, 0 (no shared terms) to 1 (the same terms, equally weighted). */
  score: number;
}

/** Lower-case terms of a name and description: split on anything not a letter or digit, plurals folded. */
export function terms(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/** Every pair of tools, most similar first. The name counts like the description (it is read first). */
export function similarPairs(tools: readonly ToolText[]): SimilarPair[] {
  const docs = tools.map((t) => terms(`${t.name} ${t.description}`));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  // Smoothed IDF: a term every tool shares still weighs a little, none weighs nothing.
  const idf = (w: string) => Math.log((1 + docs.length) / (1 + (df.get(w) ?? 0))) + 1;
  const vectors = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d) tf.set(w, (tf.get(w) ?? 0) + 1);
    const v = new Map([...tf].map(([w, n]) => [w, n * idf(w)]));
    const norm = Math.hypot(...v.values()) || 1;
    for (const [w, x] of v) v.set(w, x / norm);
    return v;
  });
  const pairs: SimilarPair[] = [];
  for (let i = 0; i < tools.length; i++) {
    for (let j = i + 1; j < tools.length; j++) {
      let dot = 0;
      for (const [w, x] of vectors[i]!) dot += x * (vectors[j]!.get(w) ?? 0);
      pairs.push({ a: tools[i]!.name, b: tools[j]!.name, score: Math.round(dot * 1000) / 1000 });
    }
  }
  return pairs.sort((p, q) => q.score - p.score || p.a.localeCompare(q.a) || p.b.localeCompare(q.b));
}
