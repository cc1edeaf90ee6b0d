/**
 * Checks on the lezer tree for errors CPython reports but lezer's permissive grammar accepts:
 * invalid assignment/deletion targets, argument and parameter ordering, `return`/`yield`/`await`/
 * `break`/`continue` in the wrong place, malformed `try` statements, `__future__` placement, ...
 *
 * `level: 'parse'` errors are ones CPython's parser raises (they compete by position with
 * lezer's own errors); `level: 'compile'` errors are raised later by CPython's compiler and only
 * count when the source parsed cleanly.
 */
import { children, type Chunk, type SyntaxNode } from './parse.js';
import { paramSegments } from './signature.js';

export interface RuleError {
  pos: number;
  message: string;
  hint: string;
  level: 'parse' | 'compile';
}

interface Ctx {
  scope: 'module' | 'function' | 'class' | 'lambda';
  /** inside an `async def` (directly, not in a nested def/lambda/class) */
  async: boolean;
  /** inside a loop body (directly, not in a nested def/class) */
  loop: boolean;
  /** inside a comprehension: 'list' covers list/set/dict comprehensions */
  comp: 'none' | 'list' | 'genexp';
  fn: FnInfo | null;
}

interface FnInfo {
  async: boolean;
  hasYield: boolean;
  valueReturns: number[];
}

const FUTURE_FEATURES = new Set([
  'nested_scopes', 'generators', 'division', 'absolute_import', 'with_statement', 'print_function',
  'unicode_literals', 'barry_as_FLUFL', 'generator_stop', 'annotations',
]);

const COMPREHENSIONS: Record<string, 'list' | 'genexp'> = {
  ArrayComprehensionExpression: 'list',
  SetComprehensionExpression: 'list',
  DictionaryComprehensionExpression: 'list',
  ComprehensionExpression: 'genexp',
};

/**
 * Runs the rules over one parsed chunk (`first`: it is the first chunk of the module). Returned
 * positions are offsets in the module text.
 */
export function checkTree(chunk: Chunk, first = true): RuleError[] {
  const { tree, text, offset } = chunk;
  const errors: RuleError[] = [];
  const src = (n: SyntaxNode): string => text.slice(n.from, n.to);
  const err = (pos: number, message: string, hint: string, level: RuleError['level'] = 'parse'): void => {
    errors.push({ pos: pos + offset, message, hint, level });
  };
  const functions: FnInfo[] = [];
  const futureImports: SyntaxNode[] = [];

  const stack: Array<[SyntaxNode, Ctx]> = [[tree.topNode, { scope: 'module', async: false, loop: false, comp: 'none', fn: null }]];
  while (stack.length) {
    const [node, ctx] = stack.pop()!;
    const kids = children(node);
    // contexts for children; default: same as the node's
    const childCtx: Ctx[] = kids.map(() => ctx);
    switch (node.name) {
      case 'FunctionDefinition': {
        const isAsync = kids.some((k) => k.name === 'async');
        const fn: FnInfo = { async: isAsync, hasYield: false, valueReturns: [] };
        functions.push(fn);
        kids.forEach((k, i) => {
          if (k.name === 'Body') childCtx[i] = { scope: 'function', async: isAsync, loop: false, comp: 'none', fn };
          if (k.name === 'ParamList') checkParams(k, text, 'def', err);
        });
        break;
      }
      case 'ClassDefinition':
        kids.forEach((k, i) => {
          if (k.name === 'Body') childCtx[i] = { scope: 'class', async: false, loop: false, comp: 'none', fn: null };
        });
        break;
      case 'LambdaExpression': {
        const colon = kids.findIndex((k) => k.name === ':');
        kids.forEach((k, i) => {
          if (i > colon && colon >= 0) childCtx[i] = { scope: 'lambda', async: false, loop: false, comp: 'none', fn: null };
          if (k.name === 'ParamList') checkParams(k, text, 'lambda', err);
        });
        break;
      }
      case 'ForStatement':
      case 'WhileStatement': {
        const firstBody = kids.findIndex((k) => k.name === 'Body');
        if (firstBody >= 0) childCtx[firstBody] = { ...ctx, loop: true };
        if (node.name === 'ForStatement') {
          if (kids[0]?.name === 'async' && !ctx.async) {
            err(node.from, "'async for' outside async function", 'Use a plain `for`, or move the loop into an `async def` function.', 'compile');
          }
          checkForTargets(kids, 'for', 'in');
        }
        break;
      }
      case 'WithStatement':
        if (kids[0]?.name === 'async' && !ctx.async) {
          err(node.from, "'async with' outside async function", 'Use a plain `with`, or move it into an `async def` function.', 'compile');
        }
        break;
      case 'ReturnStatement': {
        if (ctx.scope !== 'function') {
          err(node.from, "'return' outside function", 'Only use `return` inside a `def`; at module level, just let the code end.', 'compile');
        } else if (kids.length > 1 && ctx.fn) {
          ctx.fn.valueReturns.push(node.from);
        }
        const values = kids.slice(1);
        if (values[0]?.name === '*' && !values.some((k) => k.name === ',')) {
          err(values[0].from, "can't use starred expression here", 'Add a trailing comma to return a tuple (`return *a,`), or drop the `*`.');
        }
        break;
      }
      case 'YieldStatement':
      case 'YieldExpression': {
        if (ctx.scope === 'module' || ctx.scope === 'class') {
          err(node.from, "'yield' outside function", 'Only use `yield` inside a `def` (which makes it a generator).', 'compile');
        } else if (ctx.fn && ctx.comp === 'none' && ctx.scope === 'function') {
          ctx.fn.hasYield = true;
        }
        break;
      }
      case 'AwaitExpression':
        if (ctx.comp !== 'genexp' && !ctx.async) {
          if (ctx.scope === 'module' || ctx.scope === 'class') {
            err(node.from, "'await' outside function", 'Use `await` only inside `async def`; from synchronous code use asyncio.run(...).', 'compile');
          } else if (ctx.comp === 'list') {
            err(node.from, 'asynchronous comprehension outside of an asynchronous function', 'Move the comprehension into an `async def`, or drop the `await`.', 'compile');
          } else {
            err(node.from, "'await' outside async function", 'Make the enclosing function `async def`, or call asyncio.run(...) instead of awaiting.', 'compile');
          }
        }
        break;
      case 'NamedExpression': {
        const target = kids[0];
        if (target && target.name !== 'VariableName' && !target.type.isError) {
          const what = target.name === 'MemberExpression' ? (children(target).some((k) => k.name === '[') ? 'subscript' : 'attribute') : describe(target);
          err(target.from, `cannot use assignment expressions with ${what}`, 'The target of := must be a plain name.');
        }
        break;
      }
      case 'RaiseStatement': {
        const comma = kids.find((k) => k.name === ',');
        if (comma) err(comma.from, "invalid syntax: Python 2 'raise E, value' form", 'Write `raise E(value)` (Python 3).');
        break;
      }
      case 'BreakStatement':
        if (!ctx.loop) err(node.from, "'break' outside loop", 'Use `break` only inside a `for` or `while` loop body.', 'compile');
        break;
      case 'ContinueStatement':
        if (!ctx.loop) err(node.from, "'continue' not properly in loop", 'Use `continue` only inside a `for` or `while` loop body.', 'compile');
        break;
      case 'ScopeStatement':
        if (kids[0]?.name === 'nonlocal' && ctx.scope === 'module') {
          err(node.from, 'nonlocal declaration not allowed at module level', 'Use `global` at module level; `nonlocal` is for nested functions.', 'compile');
        }
        break;
      case 'TryStatement':
        checkTry(node, kids);
        break;
      case 'AssignStatement':
        checkAssign(kids);
        break;
      case 'UpdateStatement':
        checkAugAssign(kids);
        break;
      case 'DeleteStatement':
        for (const e of elements(kids.slice(1))) {
          if (e.star) err(e.node.from, 'cannot delete starred', 'Delete the names themselves, without `*`.');
          else checkTarget(e.node, 'delete');
        }
        break;
      case 'ExpressionStatement':
        if (kids[0]?.name === '*' && !kids.some((k) => k.name === ',')) {
          err(kids[0].from, "can't use starred expression here", 'A starred expression needs a list, tuple, call or assignment around it.');
        }
        break;
      case 'ArgList':
        checkArgs(kids);
        break;
      case 'ContinuedString': {
        let bytes: boolean | null = null;
        for (const k of kids) {
          const isBytes = /[bB]/.test(/^[a-zA-Z]*/.exec(src(k))![0]);
          if (bytes === null) bytes = isBytes;
          else if (bytes !== isBytes) {
            err(k.from, 'cannot mix bytes and nonbytes literals', "Make all adjacent literals bytes (b'...') or all str.");
            break;
          }
        }
        break;
      }
      case 'ImportStatement': {
        const first = kids[0];
        const imp = kids.findIndex((k) => k.name === 'import');
        if (first?.name === 'from' && imp > 0) {
          const module = text.slice(first.to, kids[imp]!.from).replace(/\s+/g, '');
          if (module === '__future__') {
            futureImports.push(node);
            for (const k of kids.slice(imp + 1)) {
              if (k.name === '*') err(k.from, 'future feature * is not defined', 'Name the __future__ features to import explicitly.', 'compile');
              if (k.name !== 'VariableName') continue;
              if (k.prevSibling?.name === 'as') continue;
              const feat = src(k);
              if (feat === 'braces') err(k.from, 'not a chance', 'Python uses indentation, not braces.', 'compile');
              else if (!FUTURE_FEATURES.has(feat)) {
                err(k.from, `future feature ${feat} is not defined`, `Remove it; known features: ${[...FUTURE_FEATURES].join(', ')}.`, 'compile');
              }
            }
          }
          const names = kids.slice(imp + 1);
          const dot = names.find((k) => k.name === '.');
          if (dot) err(dot.from, "invalid syntax: 'from ... import' takes plain names", 'Import the module part with `from a.b import c`, not `from a import b.c`.');
          const last = names[names.length - 1];
          if (last?.name === ',' && names[0]?.name !== '(') {
            err(last.from, 'trailing comma not allowed without surrounding parentheses', 'Remove the trailing comma or put the imported names in parentheses.');
          }
          if (kids[imp + 1]?.name === '*' && ctx.scope !== 'module') {
            err(kids[imp + 1]!.from, 'import * only allowed at module level', 'Import the names you need explicitly, or move the import to the top of the file.', 'compile');
          }
        } else if (first?.name === 'import' && kids[kids.length - 1]?.name === ',') {
          err(kids[kids.length - 1]!.from, 'trailing comma not allowed without surrounding parentheses', 'Remove the trailing comma.');
        }
        break;
      }
      default: {
        const comp = COMPREHENSIONS[node.name];
        if (comp) {
          const inner: Ctx = { ...ctx, comp: ctx.comp === 'genexp' ? 'genexp' : comp, loop: false };
          kids.forEach((_, i) => (childCtx[i] = inner));
          if (comp === 'list' && kids.some((k) => k.name === 'async') && !ctx.async) {
            err(node.from, 'asynchronous comprehension outside of an asynchronous function', 'Use a plain `for` in the comprehension, or move it into an `async def`.', 'compile');
          }
          checkForTargets(kids, 'for', 'in');
        }
      }
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, childCtx[i]!]);
  }

  for (const fn of functions) {
    if (fn.async && fn.hasYield) {
      for (const pos of fn.valueReturns) {
        err(pos, "'return' with value in async generator", 'An async generator (async def with yield) can only use a bare `return`.', 'compile');
      }
    }
  }
  checkFuturePlacement(tree.topNode, first ? futureImports : []);
  if (!first) {
    for (const f of futureImports) {
      err(f.from, 'from __future__ imports must occur at the beginning of the file', 'Move the `from __future__ import ...` line to the very top of the source (after the module docstring only).', 'compile');
    }
  }
  return errors;

  // ---- helpers (closures over err/text) ----------------------------------------------------

  function elements(nodes: SyntaxNode[]): Array<{ node: SyntaxNode; star: boolean }> {
    const out: Array<{ node: SyntaxNode; star: boolean }> = [];
    let star = false;
    for (const n of nodes) {
      if (n.name === ',' || n.name === '(' || n.name === ')' || n.name === '[' || n.name === ']') continue;
      if (n.name === '*') {
        star = true;
        continue;
      }
      out.push({ node: n, star });
      star = false;
    }
    return out;
  }

  function describe(n: SyntaxNode): string {
    switch (n.name) {
      case 'Number':
      case 'String':
      case 'ContinuedString':
        return 'literal';
      case 'FormatString':
        return 'f-string expression';
      case 'Ellipsis':
        return 'ellipsis';
      case 'None':
        return 'None';
      case 'Boolean':
        return src(n);
      case 'CallExpression':
        return 'function call';
      case 'BinaryExpression': {
        const ops = children(n).map((k) => k.name);
        return ops.some((o) => o === 'CompareOp' || o === 'in' || o === 'is' || o === 'not') ? 'comparison' : 'expression';
      }
      case 'ConditionalExpression':
        return 'conditional expression';
      case 'LambdaExpression':
        return 'lambda';
      case 'AwaitExpression':
        return 'await expression';
      case 'YieldExpression':
        return 'yield expression';
      case 'NamedExpression':
        return 'named expression';
      case 'ArrayComprehensionExpression':
        return 'list comprehension';
      case 'ComprehensionExpression':
        return 'generator expression';
      case 'DictionaryExpression':
        return 'dict literal';
      case 'DictionaryComprehensionExpression':
        return 'dict comprehension';
      case 'SetExpression':
        return 'set display';
      case 'SetComprehensionExpression':
        return 'set comprehension';
      case 'TupleExpression':
        return 'tuple';
      case 'ArrayExpression':
        return 'list';
      default:
        return 'expression';
    }
  }

  /** Reports an invalid assignment ('assign') or deletion ('delete') target. Returns false if reported. */
  function checkTarget(n: SyntaxNode, mode: 'assign' | 'delete'): boolean {
    switch (n.name) {
      case 'VariableName':
      case 'MemberExpression':
        return true;
      case 'ParenthesizedExpression': {
        const inner = children(n).filter((k) => k.name !== '(' && k.name !== ')');
        if (inner[0]?.name === '*') {
          err(inner[0].from, 'cannot use starred expression here', 'Remove the parentheses around the starred target, or the `*`.');
          return false;
        }
        return inner.length === 1 ? checkTarget(inner[0]!, mode) : true;
      }
      case 'TupleExpression':
      case 'ArrayExpression':
        return checkElements(elements(children(n)), mode);
      default: {
        if (n.type.isError) return true; // lezer already reports this spot
        const what = describe(n);
        const verb = mode === 'assign' ? 'assign to' : 'delete';
        err(
          n.from,
          `cannot ${verb} ${what}`,
          mode === 'assign'
            ? `The left side of '=' (or a for/with target) must be a name, attribute, subscript or a tuple/list of those${what === 'comparison' || what === 'literal' || what === 'function call' ? "; did you mean '=='?" : ''}.`
            : 'Only names, attributes, subscripts and tuples/lists of them can be deleted.',
        );
        return false;
      }
    }
  }

  function checkElements(els: Array<{ node: SyntaxNode; star: boolean }>, mode: 'assign' | 'delete'): boolean {
    const starred = els.filter((e) => e.star);
    if (mode === 'assign' && starred.length > 1) {
      err(starred[1]!.node.from, 'multiple starred expressions in assignment', 'Use at most one starred target per tuple/list.');
      return false;
    }
    for (const e of els) {
      if (e.star && mode === 'delete') {
        err(e.node.from, 'cannot delete starred', 'Delete the names themselves, without `*`.');
        return false;
      }
      if (!checkTarget(e.node, mode)) return false;
    }
    return true;
  }

  function checkTargetSegment(seg: SyntaxNode[]): void {
    const els = elements(seg);
    const hasComma = seg.some((k) => k.name === ',');
    if (els.length === 1 && !hasComma) {
      const only = els[0]!;
      if (only.star) {
        err(only.node.from, 'starred assignment target must be in a list or tuple', 'Add a trailing comma (`*a, = ...`) or use a plain name.');
        return;
      }
      if (only.node.name === 'YieldExpression') {
        err(only.node.from, 'assignment to yield expression not possible', 'Assign the result of yield to a name instead.');
        return;
      }
    }
    checkElements(els, 'assign');
  }

  function checkAssign(kids: SyntaxNode[]): void {
    const segments: SyntaxNode[][] = [[]];
    let annotation: SyntaxNode | null = null;
    for (const k of kids) {
      if (k.name === 'AssignOp') segments.push([]);
      else if (k.name === 'TypeDef' && segments.length === 1) annotation = k;
      else segments[segments.length - 1]!.push(k);
    }
    if (annotation) {
      const target = segments[0]!;
      const els = elements(target);
      const hasComma = target.some((k) => k.name === ',');
      const t = els[0]?.node;
      if (hasComma || els.length !== 1 || (t && t.name === 'TupleExpression')) {
        err(target[0]?.from ?? annotation.from, 'only single target (not tuple) can be annotated', 'Annotate one name at a time (`a: int = 1`).');
      } else if (t && t.name === 'ArrayExpression') {
        err(t.from, 'only single target (not list) can be annotated', 'Annotate one name at a time (`a: int = 1`).');
      } else if (t) {
        let inner: SyntaxNode | undefined = t;
        while (inner && inner.name === 'ParenthesizedExpression') inner = children(inner).find((k) => k.name !== '(' && k.name !== ')');
        if (!inner || (inner.name !== 'VariableName' && inner.name !== 'MemberExpression')) {
          err(t.from, 'illegal target for annotation', 'Only a name, attribute or subscript can be annotated.');
        }
      }
    } else {
      for (const seg of segments.slice(0, -1)) checkTargetSegment(seg);
    }
    const value = segments.length > 1 ? segments[segments.length - 1]! : [];
    if (value[0]?.name === '*' && !value.some((k) => k.name === ',')) {
      err(value[0].from, "can't use starred expression here", 'Add a trailing comma to build a tuple (`x = *a,`), or use a list (`x = [*a]`).');
    }
  }

  function checkAugAssign(kids: SyntaxNode[]): void {
    const op = kids.findIndex((k) => k.name === 'UpdateOp');
    if (op < 0) return;
    const target = kids.slice(0, op);
    const els = elements(target);
    if (target.some((k) => k.name === ',') || els.length !== 1 || els[0]!.star) {
      err(target[0]?.from ?? kids[op]!.from, "'tuple' is an illegal expression for augmented assignment", 'Augmented assignment (+= etc.) takes one name, attribute or subscript.');
      return;
    }
    let t: SyntaxNode | undefined = els[0]!.node;
    const outer = t;
    while (t && t.name === 'ParenthesizedExpression') t = children(t).find((k) => k.name !== '(' && k.name !== ')');
    if (!t || (t.name !== 'VariableName' && t.name !== 'MemberExpression')) {
      err(outer.from, `'${t ? describe(t) : 'expression'}' is an illegal expression for augmented assignment`, 'Augmented assignment (+= etc.) takes one name, attribute or subscript.');
    }
  }

  function checkForTargets(kids: SyntaxNode[], open: string, close: string): void {
    for (let i = 0; i < kids.length; i++) {
      if (kids[i]!.name !== open) continue;
      const end = kids.findIndex((k, j) => j > i && k.name === close);
      if (end < 0) continue;
      checkTargetSegment(kids.slice(i + 1, end));
    }
  }

  function checkArgs(kids: SyntaxNode[]): void {
    const forAt = kids.findIndex((k) => k.name === 'for');
    if (forAt >= 0) {
      // a generator expression argument must be the only argument
      const asyncAt = kids[forAt - 1]?.name === 'async' ? forAt - 1 : forAt;
      const before = kids.slice(0, asyncAt).find((k) => k.name === ',');
      let inTarget = false;
      let after: SyntaxNode | undefined;
      for (const k of kids.slice(forAt)) {
        if (k.name === 'for') inTarget = true;
        else if (k.name === 'in') inTarget = false;
        else if (k.name === ',' && !inTarget) {
          after = k;
          break;
        }
      }
      const bad = before ?? after;
      if (bad) err(kids[1]?.from ?? bad.from, 'Generator expression must be parenthesized', 'Wrap the generator expression in its own parentheses when the call has other arguments.');
      return;
    }
    const segs: SyntaxNode[][] = [[]];
    for (const k of kids) {
      if (k.name === '(' || k.name === ')') continue;
      if (k.name === ',') segs.push([]);
      else segs[segs.length - 1]!.push(k);
    }
    const nonEmpty = segs.filter((s) => s.length > 0);
    let seenKeyword = false;
    let seenDstar = false;
    const names = new Set<string>();
    for (const s of nonEmpty) {
      const first = s[0]!;
      if (first.name === '**') {
        seenDstar = true;
        continue;
      }
      if (first.name === '*') {
        if (seenDstar) {
          err(first.from, 'iterable argument unpacking follows keyword argument unpacking', 'Put *args before **kwargs in the call.');
          return;
        }
        continue;
      }
      if (first.name === 'VariableName' && s[1]?.name === 'AssignOp' && src(s[1]) === '=') {
        const name = src(first);
        if (names.has(name)) {
          err(first.from, `keyword argument repeated: ${name}`, `Pass '${name}' only once.`);
          return;
        }
        names.add(name);
        seenKeyword = true;
        continue;
      }
      if (seenDstar) {
        err(first.from, 'positional argument follows keyword argument unpacking', 'Put positional arguments before **kwargs.');
        return;
      }
      if (seenKeyword) {
        err(first.from, 'positional argument follows keyword argument', 'Put positional arguments before keyword arguments.');
        return;
      }
    }
  }

  function checkTry(node: SyntaxNode, kids: SyntaxNode[]): void {
    let excepts = 0;
    let plain = 0;
    let star = 0;
    let bareAt = -1;
    let hasFinally = false;
    let elsePos = -1;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'except') {
        excepts++;
        if (bareAt >= 0) {
          err(bareAt, "default 'except:' must be last", 'Move the bare `except:` after the other except clauses.');
          return;
        }
        const isStar = kids[i + 1]?.name === '*';
        if (isStar) star++;
        else plain++;
        if (isStar ? plain > 0 : star > 0) {
          err(k.from, "cannot have both 'except' and 'except*' on the same 'try'", 'Use either except or except* clauses in one try statement.');
          return;
        }
        const bodyIdx = kids.findIndex((c, j) => j > i && c.name === 'Body');
        const clause = kids.slice(i + 1, bodyIdx < 0 ? kids.length : bodyIdx);
        const afterStar = isStar ? clause.slice(1) : clause;
        if (afterStar.length === 0 && !isStar) bareAt = k.from;
        const comma = clause.findIndex((c) => c.name === ',');
        if (comma >= 0) {
          err(clause[isStar ? 1 : 0]?.from ?? k.from, 'multiple exception types must be parenthesized', 'Write `except (A, B) as e:` (Python 3 uses `as`, not a comma).');
          return;
        }
      } else if (k.name === 'finally') hasFinally = true;
      else if (k.name === 'else') elsePos = k.from;
    }
    if (excepts === 0) {
      const pos = elsePos >= 0 ? elsePos : hasFinally ? -1 : (node.nextSibling?.from ?? node.to);
      if (pos >= 0) err(pos, "expected 'except' or 'finally' block", 'Add an `except ...:` or `finally:` clause after the try body.');
    }
  }

  function checkFuturePlacement(top: SyntaxNode, futures: SyntaxNode[]): void {
    if (futures.length === 0) return;
    const statements: SyntaxNode[] = [];
    for (const k of children(top)) {
      if (k.name === 'StatementGroup') statements.push(...children(k).filter((c) => c.name !== ';'));
      else statements.push(k);
    }
    const allowed = new Set<number>();
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i]!;
      if (futures.some((f) => f.from === s.from && f.to === s.to)) {
        allowed.add(s.from);
        continue;
      }
      const isDocstring =
        i === 0 && s.name === 'ExpressionStatement' && children(s).length === 1 && ['String', 'ContinuedString'].includes(children(s)[0]!.name);
      if (!isDocstring) break;
    }
    for (const f of futures) {
      if (!allowed.has(f.from)) {
        err(f.from, 'from __future__ imports must occur at the beginning of the file', 'Move the `from __future__ import ...` line to the very top of the source (after the module docstring only).', 'compile');
      }
    }
  }

  function checkParams(list: SyntaxNode, t: string, kind: 'def' | 'lambda', e: typeof err): void {
    const segs = paramSegments(list, t);
    let seenSlash = false;
    let seenStar = false;
    let bareStarAt = -1;
    let seenDstar = false;
    let seenDefault = false;
    let regularBefore = 0;
    const names = new Set<string>();
    for (const s of segs) {
      if (seenDstar) {
        e(s.from, 'arguments cannot follow var-keyword argument', 'Put **kwargs last in the parameter list.');
        return;
      }
      if (s.kind === 'slash') {
        if (seenSlash) return e(s.from, '/ may appear only once', 'Use a single / in the parameter list.');
        if (seenStar) return e(s.from, '/ must be ahead of *', 'Put / before * (positional-only parameters come first).');
        if (regularBefore === 0) return e(s.from, 'at least one argument must precede /', 'Remove the / or put parameters before it.');
        seenSlash = true;
        continue;
      }
      if (s.kind === 'star') {
        if (seenStar) return e(s.from, '* argument may appear only once', 'Use a single * or *args.');
        seenStar = true;
        if (!s.name) bareStarAt = s.from;
      } else if (s.kind === 'dstar') {
        if (bareStarAt >= 0) return e(bareStarAt, 'named arguments must follow bare *', 'Put at least one keyword-only parameter after the bare *, or remove it.');
        seenDstar = true;
      } else if (s.kind === 'regular') {
        bareStarAt = -1;
        if (!seenStar) {
          regularBefore++;
          if (s.hasDefault) seenDefault = true;
          else if (seenDefault) {
            return e(s.from, 'non-default argument follows default argument', `Give '${s.name}' a default too, or move it before the parameters that have defaults.`);
          }
        }
      }
      if (s.name) {
        if (names.has(s.name)) {
          return e(s.from, `duplicate argument '${s.name}' in ${kind === 'def' ? 'function definition' : 'lambda'}`, `Rename one of the '${s.name}' parameters.`, 'compile');
        }
        names.add(s.name);
      }
    }
    if (bareStarAt >= 0) e(bareStarAt, 'named arguments must follow bare *', 'Put at least one keyword-only parameter after the bare *, or remove it.');
  }
}
