/**
 * Code comments and docs cite project docs by heading (`docs/wire/trainer.md#pod-label-selector`).
 * This keeps every cited page and heading real, and keeps src/ from citing documents that are not
 * in the repository (the upstream wire spec, by section sign).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** GitHub's heading anchor: lowercase, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Anchors of a markdown text's headings (outside code fences); repeats get -1, -2, … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Ref {
  from: string;
  line: number;
  /** Repository-relative path of the cited markdown file. */
  file: string;
  anchor?: string;
}

/** What is wrong with a reference, or undefined when its file and heading exist. */
function problem(ref: Ref, read: (file: string) => string | undefined): string | undefined {
  const text = read(ref.file);
  if (text === undefined) return `${ref.from}:${ref.line}: ${ref.file} does not exist`;
  if (ref.anchor !== undefined && !anchors(text).has(ref.anchor)) return `${ref.from}:${ref.line}: ${ref.file} has no heading #${ref.anchor}`;
  return undefined;
}

function readRepoFile(file: string): string | undefined {
  const abs = path.join(ROOT, file);
  return existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
}

function filesUnder(dir: string, ext: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** `docs/….md` or `docs/….md#anchor` anywhere in a source file (comments cite docs this way). */
function sourceRefs(file: string, text: string): Ref[] {
  const refs: Ref[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\bdocs\/[\w./-]*?\.md(?:#([\w-]+))?/g)) {
      refs.push({ from: file, line: i + 1, file: m[0].split('#')[0]!, anchor: m[1] });
    }
  });
  return refs;
}

/** Relative markdown links `[text](x.md#a)`, `[text](#a)` of a markdown file. */
function markdownRefs(file: string, text: string): Ref[] {
  const refs: Ref[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/\]\(([^)\s]*)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [p = '', anchor] = target.split('#');
      if (p !== '' && !p.endsWith('.md')) continue;
      const cited = p === '' ? file : path.normalize(path.join(path.dirname(file), p));
      refs.push({ from: file, line: i + 1, file: cited, anchor: anchor || undefined });
    }
  });
  return refs;
}

const SOURCES = filesUnder('src', '.ts');
const DOCS = ['README.md', ...filesUnder('docs', '.md')];

describe('doc references', () => {
  it('finds the sources and docs it checks', () => {
    expect(SOURCES.length).toBeGreaterThan(100);
    expect(DOCS).toEqual(expect.arrayContaining(['docs/wire/trainer.md', 'docs/wire/optimizer.md', 'docs/wire/hub.md', 'docs/wire-decisions.md']));
  });

  it('computes GitHub anchors and reports missing files and headings', () => {
    expect(slug('Pod label selector')).toBe('pod-label-selector');
    expect(slug('Trainer and TrainJob (`trainjob.ts`)')).toBe('trainer-and-trainjob-trainjobts');
    expect(slug('Optimizer (Katib) (`src/kubeflow/optimizer/`)')).toBe('optimizer-katib-srckubeflowoptimizer');
    expect([...anchors('# A\n```\n# not a heading\n```\n## Steps\n## Steps\n')]).toEqual(['a', 'steps', 'steps-1']);
    const read = (f: string) => (f === 'docs/x.md' ? '# X\n## Job status\n' : undefined);
    expect(problem({ from: 's.ts', line: 1, file: 'docs/x.md', anchor: 'job-status' }, read)).toBeUndefined();
    expect(problem({ from: 's.ts', line: 3, file: 'docs/x.md', anchor: 'jobs-status' }, read)).toBe('s.ts:3: docs/x.md has no heading #jobs-status');
    expect(problem({ from: 's.ts', line: 4, file: 'docs/y.md' }, read)).toBe('s.ts:4: docs/y.md does not exist');
  });

  it('src cites docs that exist, by headings that exist', () => {
    const refs = SOURCES.flatMap((f) => sourceRefs(f, readRepoFile(f)!));
    expect(refs.filter((r) => r.file.startsWith('docs/wire/')).length).toBeGreaterThan(20);
    expect(refs.map((r) => problem(r, readRepoFile)).filter(Boolean)).toEqual([]);
  });

  it('src cites no document outside the repository (no wire-spec, no § sections)', () => {
    const hits = SOURCES.flatMap((f) =>
      readRepoFile(f)!
        .split('\n')
        .flatMap((line, i) => (/wire-spec|wire spec|§/i.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('relative links between docs point to existing pages and headings', () => {
    const refs = DOCS.flatMap((f) => markdownRefs(f, readRepoFile(f)!));
    expect(refs.some((r) => r.anchor !== undefined)).toBe(true);
    expect(refs.map((r) => problem(r, readRepoFile)).filter(Boolean)).toEqual([]);
  });
});
