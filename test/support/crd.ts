/**
 * Contract-test helper: validates an object against a CRD's openAPIV3Schema the way the API server
 * would on create, as far as a test can without a cluster:
 *  - JSON Schema via ajv (x-kubernetes-* keys stripped);
 *  - unknown fields are errors wherever the schema lists `properties` and does not preserve unknown
 *    fields (the API server would prune them silently, which is exactly the bug we want to catch);
 *  - CEL `x-kubernetes-validations` rules, evaluated by a small CEL subset (literals, lists, field
 *    access, has(), size(), matches(), exists/all/filter, ! && || == != < <= > >= in). Transition
 *    rules (those using `oldSelf`) do not apply to creates and are skipped; rules outside the subset
 *    are listed by unsupportedCelRules() so a test can assert there are none.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;
interface CelRule {
  rule: string;
  message?: string;
}

interface LoadedCrd {
  schema: Schema;
  validate: ValidateFunction;
}

const cache = new Map<string, LoadedCrd>();

/** The openAPIV3Schema of the CRD's first served version (or of `version`). */
function loadCrdSchema(crdPath: string, version?: string): Schema {
  const docs = parseAllDocuments(readFileSync(crdPath, 'utf8'))
    .map((d) => d.toJS() as Schema | null)
    .filter((d): d is Schema => d !== null && d.kind === 'CustomResourceDefinition');
  const crd = docs[0];
  if (!crd) throw new Error(`${crdPath}: no CustomResourceDefinition`);
  const versions = (crd.spec as { versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }> }).versions;
  const v = version ? versions.find((x) => x.name === version) : (versions.find((x) => x.served !== false) ?? versions[0]);
  const schema = v?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`${crdPath}: no openAPIV3Schema for version ${version ?? '(served)'}`);
  return schema;
}

function load(crdPath: string): LoadedCrd {
  let loaded = cache.get(crdPath);
  if (!loaded) {
    const schema = loadCrdSchema(crdPath);
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
    ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    loaded = { schema, validate: ajv.compile(toAjvSchema(schema) as Schema) };
    cache.set(crdPath, loaded);
  }
  return loaded;
}

/** Structural-schema → plain JSON Schema: strip x-kubernetes-*, close objects that list properties. */
function toAjvSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toAjvSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('x-kubernetes-')) continue;
    // Under `properties` the keys are field names, not keywords: keep them all.
    out[k] = k === 'properties' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([f, s]) => [f, toAjvSchema(s)])) : toAjvSchema(v);
  }
  if (src.properties && src.additionalProperties === undefined && src['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** Every problem the API server would report for creating `obj`; empty when it is accepted. */
export function validateAgainstCrd(crdPath: string, obj: unknown): string[] {
  const { schema, validate } = load(crdPath);
  const errors: string[] = [];
  if (!validate(obj)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
      errors.push(`${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`);
    }
  }
  walkCel(schema, obj, '', errors, []);
  return errors;
}

/** CEL rules of the CRD this helper cannot evaluate (transition rules excluded). */
export function unsupportedCelRules(crdPath: string): string[] {
  const { schema } = load(crdPath);
  const rules = new Set<string>();
  collectRules(schema, rules);
  return [...rules].filter((r) => !isTransitionRule(r) && !canParse(r));
}

function collectRules(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectRules(n, into));
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'x-kubernetes-validations') for (const r of v as CelRule[]) into.add(r.rule);
    else collectRules(v, into);
  }
}

function walkCel(schema: Schema, value: unknown, path: string, errors: string[], unsupported: string[]): void {
  if (value === undefined || value === null) return;
  for (const r of (schema['x-kubernetes-validations'] as CelRule[] | undefined) ?? []) {
    if (isTransitionRule(r.rule)) continue;
    let ok: unknown;
    try {
      ok = evalCel(parseCel(r.rule), { self: value });
    } catch (e) {
      if (e instanceof CelSyntaxError) {
        unsupported.push(r.rule);
        continue;
      }
      ok = false;
    }
    if (ok !== true) errors.push(`${path || '/'} ${r.message ?? `failed rule: ${r.rule}`}`);
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, s] of Object.entries(props)) walkCel(s, (value as Record<string, unknown>)[k], `${path}/${k}`, errors, unsupported);
  }
  const items = schema.items as Schema | undefined;
  if (items && Array.isArray(value)) value.forEach((v, i) => walkCel(items, v, `${path}/${i}`, errors, unsupported));
  const addl = schema.additionalProperties;
  if (addl && typeof addl === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walkCel(addl as Schema, v, `${path}/${k}`, errors, unsupported);
  }
}

function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

function canParse(rule: string): boolean {
  try {
    parseCel(rule);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// A small CEL subset

class CelSyntaxError extends Error {}

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'id'; name: string }
  | { t: 'list'; items: Node[] }
  | { t: 'member'; obj: Node; name: string }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'unary'; op: '!' | '-'; arg: Node }
  | { t: 'bin'; op: string; l: Node; r: Node };

const TOKEN = /\s*(?:(\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[!<>()[\].,-]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new CelSyntaxError(`unexpected input at ${pos}: ${src.slice(pos)}`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

function parseCel(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const take = (want?: string): string => {
    const t = toks[i++];
    if (t === undefined || (want !== undefined && t !== want)) throw new CelSyntaxError(`expected ${want ?? 'token'} in ${src}`);
    return t;
  };
  const PREC: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, in: 3 };

  const expr = (minPrec = 1): Node => {
    let left = unary();
    for (;;) {
      const op = peek();
      const p = op === undefined ? undefined : PREC[op];
      if (p === undefined || p < minPrec) return left;
      take();
      left = { t: 'bin', op: op!, l: left, r: expr(p + 1) };
    }
  };
  const unary = (): Node => {
    if (peek() === '!') return (take(), { t: 'unary', op: '!', arg: unary() });
    if (peek() === '-') return (take(), { t: 'unary', op: '-', arg: unary() });
    return postfix(primary());
  };
  const args = (): Node[] => {
    take('(');
    const list: Node[] = [];
    while (peek() !== ')') {
      list.push(expr());
      if (peek() === ',') take();
    }
    take(')');
    return list;
  };
  const postfix = (n: Node): Node => {
    while (peek() === '.') {
      take();
      const name = take();
      n = peek() === '(' ? { t: 'call', fn: name, target: n, args: args() } : { t: 'member', obj: n, name };
    }
    return n;
  };
  const primary = (): Node => {
    const t = take();
    if (/^\d+$/.test(t)) return { t: 'lit', v: Number(t) };
    if (t.startsWith("'") || t.startsWith('"')) return { t: 'lit', v: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (t === '(') {
      const e = expr();
      take(')');
      return e;
    }
    if (t === '[') {
      const items: Node[] = [];
      while (peek() !== ']') {
        items.push(expr());
        if (peek() === ',') take();
      }
      take(']');
      return { t: 'list', items };
    }
    if (t === 'true' || t === 'false') return { t: 'lit', v: t === 'true' };
    if (t === 'null') return { t: 'lit', v: null };
    if (/^[A-Za-z_]/.test(t)) return peek() === '(' ? { t: 'call', fn: t, args: args() } : { t: 'id', name: t };
    throw new CelSyntaxError(`unexpected '${t}' in ${src}`);
  };

  const node = expr();
  if (i !== toks.length) throw new CelSyntaxError(`trailing input in ${src}`);
  check(node);
  return node;
}

const FUNCTIONS = new Set(['has', 'size', 'matches', 'exists', 'all', 'filter']);

function check(n: Node): void {
  switch (n.t) {
    case 'call':
      if (!FUNCTIONS.has(n.fn)) throw new CelSyntaxError(`unsupported function ${n.fn}`);
      if (n.target) check(n.target);
      n.args.forEach(check);
      return;
    case 'member':
      return check(n.obj);
    case 'list':
      return n.items.forEach(check);
    case 'unary':
      return check(n.arg);
    case 'bin':
      check(n.l);
      return check(n.r);
    default:
      return;
  }
}

type Scope = Record<string, unknown>;

function evalCel(n: Node, scope: Scope): unknown {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'id':
      if (!(n.name in scope)) throw new Error(`undeclared ${n.name}`);
      return scope[n.name];
    case 'list':
      return n.items.map((x) => evalCel(x, scope));
    case 'member': {
      const o = evalCel(n.obj, scope) as Record<string, unknown>;
      if (!o || typeof o !== 'object' || !(n.name in o)) throw new Error(`no such key: ${n.name}`);
      return o[n.name];
    }
    case 'unary': {
      const v = evalCel(n.arg, scope);
      return n.op === '!' ? !bool(v) : -(v as number);
    }
    case 'bin':
      return evalBinary(n.op, n.l, n.r, scope);
    case 'call':
      return evalCall(n, scope);
  }
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error('not a bool');
  return v;
}

function evalBinary(op: string, l: Node, r: Node, scope: Scope): unknown {
  if (op === '||' || op === '&&') {
    // CEL's commutative logic: an error on one side is absorbed when the other side decides.
    const short = op === '||';
    let left: boolean | Error;
    try {
      left = bool(evalCel(l, scope));
    } catch (e) {
      left = e as Error;
    }
    if (left === short) return short;
    const right = bool(evalCel(r, scope));
    if (right === short) return short;
    if (left instanceof Error) throw left;
    return !short;
  }
  const a = evalCel(l, scope);
  const b = evalCel(r, scope);
  switch (op) {
    case '==':
      return JSON.stringify(a) === JSON.stringify(b);
    case '!=':
      return JSON.stringify(a) !== JSON.stringify(b);
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    case '>=':
      return (a as number) >= (b as number);
    case 'in':
      return Array.isArray(b) ? b.some((x) => JSON.stringify(x) === JSON.stringify(a)) : Object.prototype.hasOwnProperty.call(b, a as string);
  }
  throw new Error(`operator ${op}`);
}

function evalCall(n: Extract<Node, { t: 'call' }>, scope: Scope): unknown {
  if (n.fn === 'has') {
    const arg = n.args[0];
    if (!arg || arg.t !== 'member') throw new Error('has() needs a field selection');
    const o = evalCel(arg.obj, scope);
    return !!o && typeof o === 'object' && arg.name in o;
  }
  if (n.fn === 'size') {
    const v = evalCel((n.target ?? n.args[0])!, scope);
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new Error('size of scalar');
  }
  const target = evalCel(n.target!, scope);
  if (n.fn === 'matches') return new RegExp(String(evalCel(n.args[0]!, scope)), 'u').test(String(target));
  // Macros: exists / all / filter over list elements or map keys.
  const v = n.args[0];
  if (!v || v.t !== 'id') throw new Error(`${n.fn} needs a variable`);
  const elems = Array.isArray(target) ? target : Object.keys(target as object);
  const test = (x: unknown): boolean => bool(evalCel(n.args[1]!, { ...scope, [v.name]: x }));
  if (n.fn === 'exists') return elems.some(test);
  if (n.fn === 'all') return elems.every(test);
  return elems.filter(test);
}
