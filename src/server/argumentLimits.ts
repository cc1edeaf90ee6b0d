/**
 * The shape of raw tool arguments, checked before anything walks them recursively (the schema,
 * credential search and redaction all recurse): nesting depth, total size, func_args size, and
 * lone UTF-16 surrogates (which no encoder downstream accepts). One iterative pass, which stops at
 * the first problem. See docs/security.md "Arguments".
 */
import { ToolError } from '../tools/contract.js';
import { MAX_BODY_BYTES } from './http.js';

/** Objects and lists inside the arguments, counted from a parameter's value. */
export const MAX_ARGUMENT_DEPTH = 32;
/** The same ceiling as an HTTP request body, so stdio accepts no more than HTTP. */
export const MAX_ARGUMENTS_BYTES = MAX_BODY_BYTES;
/** func_args become keyword arguments in the TrainJob's command line. */
export const MAX_FUNC_ARGS_BYTES = 64 * 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Frame {
  value: unknown;
  path: string;
  depth: number;
  /** Index into `sizes` of the func_args this value sits in, if any. */
  funcArgs?: number;
}

/** A refusal (invalid_arguments) for the first problem with the arguments' shape, or undefined. */
export function argumentShapeError(tool: string, args: Record<string, unknown>): ToolError | undefined {
  const refuse = (message: string, hint: string) => new ToolError('invalid_arguments', `Invalid arguments for ${tool}: ${message}`, hint);
  // Where each func_args map sits, and how many bytes it holds so far.
  const funcArgsAt: string[] = [];
  const stack: Frame[] = [{ value: args, path: '', depth: -1 }];
  const funcArgsBytes: number[] = [];
  let total = 0;
  while (stack.length) {
    const { value, path, depth, funcArgs } = stack.pop()!;
    let size: number;
    if (typeof value === 'string') {
      const at = LONE_SURROGATE.exec(value);
      if (at) return refuse(`${shortPath(path) || '(arguments)'} contains a lone UTF-16 surrogate at character ${at.index}; strings must be valid Unicode.`, 'Send well-formed text: remove or replace the broken character.');
      size = Buffer.byteLength(value) + 2;
    } else if (value && typeof value === 'object') {
      if (depth >= MAX_ARGUMENT_DEPTH) return refuse(`${shortPath(path)} is nested more than ${MAX_ARGUMENT_DEPTH} levels deep.`, `Flatten the value: at most ${MAX_ARGUMENT_DEPTH} levels of lists and objects are accepted.`);
      const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
      size = 2;
      for (const [k, v] of entries) {
        let at: string;
        if (typeof k === 'number') at = `${path}[${k}]`;
        else {
          const bad = LONE_SURROGATE.exec(k);
          if (bad) return refuse(`a key in ${shortPath(path) || '(arguments)'} contains a lone UTF-16 surrogate at character ${bad.index}; strings must be valid Unicode.`, 'Send well-formed text: remove or replace the broken character.');
          size += Buffer.byteLength(k) + 4;
          at = path ? `${path}.${shortKey(k)}` : shortKey(k);
        }
        const inFuncArgs = funcArgs ?? (k === 'func_args' ? funcArgsAt.push(at) - 1 : undefined);
        stack.push({ value: v, path: at, depth: depth + 1, funcArgs: inFuncArgs });
      }
    } else {
      size = String(value).length + 1;
    }
    total += size;
    if (total > MAX_ARGUMENTS_BYTES) {
      return refuse(`the arguments exceed ${MAX_ARGUMENTS_BYTES} bytes.`, 'Send less: large inputs belong in a dataset, a file the training code reads, or a Kubernetes object, not in tool arguments.');
    }
    if (funcArgs !== undefined && (funcArgsBytes[funcArgs] = (funcArgsBytes[funcArgs] ?? 0) + size) > MAX_FUNC_ARGS_BYTES) {
      return refuse(`${shortPath(funcArgsAt[funcArgs]!)} exceeds ${MAX_FUNC_ARGS_BYTES} bytes.`, 'Pass large inputs as files (a dataset, or a path the training code reads), not as func_args.');
    }
  }
  return undefined;
}

/** A path as shown in an error: its start and end, when it is long. */
function shortPath(path: string): string {
  return path.length > 160 ? `${path.slice(0, 80)}…${path.slice(-60)}` : path;
}

/** A key as shown in a path: bounded, so an error never echoes a huge key. */
function shortKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}
