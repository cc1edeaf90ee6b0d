/**
 * The shape of raw tool arguments, checked before anything walks them recursively (the schema,
 * credential search and redaction all recurse): nesting depth, total size, func_args size, and
 * lone UTF-16 surrogates (which no encoder downstream accepts). One iterative pass, which stops at
 * the first problem. See docs/security.md "Arguments".
 */
import { ToolError } from '../tools/contract.js';

/** The largest HTTP request body (http.ts). Here, not there, so stdio start-up loads no HTTP code. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Objects and lists inside the arguments, counted from a parameter's value. */
const MAX_ARGUMENT_DEPTH = 32;
/** The same ceiling as an HTTP request body, so stdio accepts no more than HTTP. */
const MAX_ARGUMENTS_BYTES = MAX_BODY_BYTES;
/** func_args become keyword arguments in the TrainJob's command line. */
const MAX_FUNC_ARGS_BYTES = 64 * 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A value to check; its path is built only for an error message. */
interface Frame {
  value: unknown;
  parent?: Frame;
  key?: string | number;
  depth: number;
  /** Index of the func_args map this value sits in, if any. */
  funcArgs?: number;
}

function pathOf(frame: Frame): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) parts.push(typeof f.key === 'number' ? `[${f.key}]` : `.${shortKey(f.key!)}`);
  return shortPath(parts.reverse().join('').replace(/^\./, ''));
}

/** Any surrogate at all: cheap, and rare enough to look closer only then. */
const SURROGATE = /[\uD800-\uDFFF]/;

function loneSurrogateAt(text: string): number | undefined {
  return SURROGATE.test(text) ? LONE_SURROGATE.exec(text)?.index : undefined;
}

/** A refusal (invalid_arguments) for the first problem with the arguments' shape, or undefined. */
export function argumentShapeError(tool: string, args: Record<string, unknown>): ToolError | undefined {
  const refuse = (message: string, hint: string) => new ToolError('invalid_arguments', `Invalid arguments for ${tool}: ${message}`, hint);
  const unicode = 'Send well-formed text: remove or replace the broken character.';
  const root: Frame = { value: args, depth: -1 };
  const stack: Frame[] = [root];
  const funcArgsMaps: Frame[] = [];
  const funcArgsBytes: number[] = [];
  let total = 0;
  while (stack.length) {
    const frame = stack.pop()!;
    const { value, depth, funcArgs } = frame;
    let size: number;
    if (typeof value === 'string') {
      const at = loneSurrogateAt(value);
      if (at !== undefined)
        return refuse(`${pathOf(frame) || '(arguments)'} contains a lone UTF-16 surrogate at character ${at}; strings must be valid Unicode.`, unicode);
      size = Buffer.byteLength(value) + 2;
    } else if (value && typeof value === 'object') {
      if (depth >= MAX_ARGUMENT_DEPTH)
        return refuse(
          `${pathOf(frame)} is nested more than ${MAX_ARGUMENT_DEPTH} levels deep.`,
          `Flatten the value: at most ${MAX_ARGUMENT_DEPTH} levels of lists and objects are accepted.`,
        );
      size = 2;
      const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
      for (const [key, v] of entries) {
        if (typeof key === 'string') {
          const bad = loneSurrogateAt(key);
          if (bad !== undefined)
            return refuse(
              `a key in ${pathOf(frame) || '(arguments)'} contains a lone UTF-16 surrogate at character ${bad}; strings must be valid Unicode.`,
              unicode,
            );
          size += Buffer.byteLength(key) + 4;
        }
        const child: Frame = { value: v, parent: frame, key, depth: depth + 1, funcArgs };
        if (funcArgs === undefined && key === 'func_args') child.funcArgs = funcArgsMaps.push(child) - 1;
        stack.push(child);
      }
    } else {
      size = String(value).length + 1;
    }
    total += size;
    if (total > MAX_ARGUMENTS_BYTES) {
      return refuse(
        `the arguments exceed ${MAX_ARGUMENTS_BYTES} bytes.`,
        'Send less: large inputs belong in a dataset, a file the training code reads, or a Kubernetes object, not in tool arguments.',
      );
    }
    if (funcArgs !== undefined && (funcArgsBytes[funcArgs] = (funcArgsBytes[funcArgs] ?? 0) + size) > MAX_FUNC_ARGS_BYTES) {
      return refuse(
        `${pathOf(funcArgsMaps[funcArgs]!)} exceeds ${MAX_FUNC_ARGS_BYTES} bytes.`,
        'Pass large inputs as files (a dataset, or a path the training code reads), not as func_args.',
      );
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
