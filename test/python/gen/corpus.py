#!/usr/bin/env python3
"""Regenerates test/python/cpython-corpus.ts: what CPython's ast.parse says about each snippet.

ast.parse is what the checker asks (src/kubeflow/python/cpython.ts), so errors only the compiler
finds (`return` outside a function, ...) count as valid here. Not needed at test run time (the
generated table is committed). Run from the repo root with a CPython 3.11:

    python3 test/python/gen/corpus.py > test/python/cpython-corpus.ts

`py312` / `py314` mark snippets whose verdict differs in Python 3.12 / 3.14 (newer than the
generator's Python); the test expects the checker not to refuse them for such a target.
"""
import ast
import json
import sys

V = True  # valid marker for readability of py312 overrides

CASES = [
    # ---- valid modern Python -------------------------------------------------------------------
    ("simple_def", "def train(lr, epochs=3):\n    print(lr, epochs)\n"),
    ("fstring_nested_quotes", "name = 'x'\nd = {'a': 1}\ns = f\"{name!r:>10} {d['a']} {'q'}\"\nt = f'{\"dq\"}'\n"),
    ("fstring_format_spec", "w = 8\nx = 3.14159\ns = f\"{x:{w}.2f} {x=} {{literal}}\"\n"),
    ("fstring_triple", "a = 1\ns = f'''multi\n{a}\nline'''\n"),
    ("match_statement", "def f(cmd):\n    match cmd:\n        case ['go', direction]:\n            return direction\n        case {'x': x, **rest}:\n            return x\n        case Point(x=0, y=0) | None:\n            return 0\n        case _:\n            return None\n"),
    ("match_as_name", "match = 1\ncase = 2\nmatch(3)\nprint(match, case)\n"),
    ("walrus", "data = [1, 2]\nif (n := len(data)) > 1:\n    print(n)\nwhile (chunk := data.pop()) :\n    break\n"),
    ("decorators", "import functools\n@functools.lru_cache(maxsize=None)\n@staticmethod\ndef f(x):\n    return x\n"),
    ("async_def", "import asyncio\nasync def main():\n    await asyncio.sleep(1)\n    async with lock:\n        pass\n    async for x in gen():\n        print(x)\n    return [y async for y in agen()]\n"),
    ("type_hints", "from typing import Optional\ndef train(lr: float = 1e-3, *, tags: Optional[list[str]] = None, cfg: dict[str, int] | None = None) -> dict[str, float]:\n    x: int = 1\n    y: list[int]\n    return {}\n"),
    ("lambda_defaults", "f = lambda x, y=2, *a, k=3, **kw: x + y\ng = lambda: None\nh = lambda *, k: k\n"),
    ("star_args", "def f(a, *args, b, c=1, **kwargs):\n    g(*args, **kwargs)\n    first, *rest = args\n    print(*rest, sep='')\n"),
    ("positional_only", "def f(a, b=1, /, c=2, *, d, e=5, **kw):\n    pass\n"),
    ("global_code", "import os\nEPOCHS = int(os.environ.get('EPOCHS', '3'))\nfor i in range(EPOCHS):\n    print(i)\nelse:\n    pass\n"),
    ("comments_docstrings", "# leading comment\ndef train():\n    \"\"\"Docstring with 'quotes' and \\\"escapes\\\".\n\n    More.\n    \"\"\"\n    # inner comment\n    x = 1  # trailing\n\n        # badly indented comment is fine\n    return x\n"),
    ("line_continuation", "x = 1 + \\\n    2\nif x and \\\n        x > 1:\n    y = [\n  1,\n        2,\n]\n"),
    ("try_except", "try:\n    pass\nexcept (ValueError, TypeError) as e:\n    raise RuntimeError('x') from e\nexcept OSError:\n    pass\nelse:\n    pass\nfinally:\n    pass\n"),
    ("except_star", "try:\n    pass\nexcept* (ValueError, TypeError) as eg:\n    pass\nexcept* OSError:\n    pass\n"),
    ("class_def", "class Model(Base, metaclass=Meta):\n    x: int = 0\n    def __init__(self, *a, **k):\n        super().__init__(*a, **k)\n        self.y = [i for i in range(3) if i]\n"),
    ("comprehensions", "a = {k: v for k, v in d.items()}\nb = {x for x in y}\nc = (x for x in y)\ne = [(i, j) for i in range(3) for j in range(i)]\n"),
    ("slices_ellipsis", "a = x[1:2, ::3, ...]\nb = x[:, None]\nc = ...\n"),
    ("numbers", "a = 0x_ff + 0o17 + 0b1010 + 1_000_000 + 1e-5 + 3.14j + .5 + 5. + 0\n"),
    ("strings_prefixes", "a = b'bytes' + rb'raw\\d' + Rb'x'\nb = u'unicode' r'raw\\d' 'concat'\nc = br'\\x'\n"),
    ("semicolons", "import os; import sys; x = 1;\n"),
    ("global_nonlocal", "x = 0\ndef f():\n    global x\n    y = 1\n    def g():\n        nonlocal y\n        y += 1\n    g()\n"),
    ("chained_compare", "a = 1 < 2 <= 3 != 4\nb = x is not None and y not in z\n"),
    ("conditional_lambda", "f = (lambda: 1) if x else (lambda: 2)\n"),
    ("return_tuple_star", "def f(*a):\n    return 1, *a\n"),
    ("yield_forms", "def g():\n    x = yield 1\n    yield from range(3)\n    y = yield\n"),
    ("dict_unpack", "a = {**b, 'c': 1}\nf(**a, **b)\n"),
    ("unicode_identifiers", "café = 1\nπ = 3.14\n数据 = [café, π]\n"),
    ("crlf_newlines", "x = 1\r\nif x:\r\n    y = 2\r\n"),
    ("form_feed", "\x0cx = 1\n"),
    ("tabs_consistent", "if True:\n\tx = 1\n\tif x:\n\t\ty = 2\n"),
    ("empty_lines_in_block", "def f():\n    x = 1\n\n\n    return x\n"),
    ("no_trailing_newline", "def f():\n    return 1"),
    ("assert_del", "x = [1]\nassert x, 'msg'\ndel x[0], x\n"),
    ("paren_with", "with (open('a') as f, open('b') as g):\n    pass\nwith (\n    open('c') as h,\n    open('d'),\n):\n    pass\n"),
    ("with_complex_target", "with ctx() as self.x:\n    pass\nwith ctx() as (a, b):\n    pass\n"),
    ("decorator_expression", "@buttons[0].clicked.connect\ndef f():\n    pass\n"),
    ("print_as_name", "print = logger.info\nprint [0]\nprint -1\n"),
    ("set_and_tuple", "s = {1, 2}\nt = 1,\nu = ()\n"),
    ("generic_def_py312", "def first[T](xs: list[T]) -> T:\n    return xs[0]\n", {"py312": V}),
    ("type_alias_py312", "type Vector = list[float]\n", {"py312": V}),
    ("fstring_same_quotes_py312", "d = {'a': 1}\ns = f\"{d[\"a\"]}\"\n", {"py312": V}),
    # ---- invalid --------------------------------------------------------------------------------
    ("unclosed_paren", "def train():\n    x = foo(1, 2\n    return x\n"),
    ("unclosed_paren_eof", "x = 1\ny = [1, 2,\n"),
    ("unclosed_bracket_call", "print(len([1, 2)\n"),
    ("unclosed_string", "x = 'abc\ny = 1\n"),
    ("unclosed_triple_string", "x = 1\ns = \"\"\"never\nclosed\n"),
    ("unexpected_indent", "x = 1\n    y = 2\n"),
    ("unindent_mismatch", "def f():\n        x = 1\n    y = 2\n"),
    ("expected_indent", "def f():\nreturn 1\n"),
    ("missing_colon_def", "def train(lr)\n    pass\n"),
    ("missing_colon_if", "if x > 1\n    pass\n"),
    ("def_paren_colon", "def f(:\n    pass\n"),
    ("stray_close_paren", "x = 1)\n"),
    ("mismatched_bracket", "x = [1, 2)\n"),
    ("print_statement", "def train():\n    print \"hello\"\n"),
    ("exec_statement", "exec \"x = 1\"\n"),
    ("tabs_spaces_mix", "if True:\n\tx = 1\n        y = 2\n"),
    ("return_outside", "x = 1\nreturn x\n"),
    ("yield_outside", "yield 1\n"),
    ("break_outside", "def f():\n    break\n"),
    ("continue_outside", "continue\n"),
    ("await_outside_async", "def f():\n    await g()\n"),
    ("nonlocal_module", "nonlocal x\n"),
    ("assign_literal", "1 = x\n"),
    ("assign_call", "f() = 3\n"),
    ("augassign_tuple", "a, b += 1\n"),
    ("keyword_repeated", "f(a=1, a=2)\n"),
    ("positional_after_keyword", "f(a=1, 2)\n"),
    ("duplicate_param", "def f(a, a):\n    pass\n"),
    ("default_before_nondefault", "def f(a=1, b):\n    pass\n"),
    ("bare_star_no_kwonly", "def f(a, *):\n    pass\n"),
    ("smart_quotes", "x = “hello”\n"),
    ("nbsp_char", "x =\xa01\n"),
    ("leading_zero", "x = 0777\n"),
    ("double_underscore_number", "x = 1__000\n"),
    ("walrus_statement", "x := 1\n"),
    ("keyword_as_name", "class = 3\n"),
    ("else_without_if", "else:\n    pass\n"),
    ("missing_comma_list", "x = [1 2]\n"),
    ("incomplete_expression", "x = 1 +\n"),
    ("lambda_body_statement", "f = lambda: return 1\n"),
    ("import_bad", "import\n"),
    ("try_without_except", "try:\n    x = 1\ny = 2\n"),
    ("py2_except_comma", "try:\n    pass\nexcept ValueError, e:\n    pass\n", {"py314": V}),
    ("except_unparenthesized_py314", "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", {"py314": V}),
    ("tstring_py314", "name = 'x'\ns = t'hello {name}'\n", {"py314": V}),
    ("bytes_nonascii", "x = b'caf\u00e9'\n"),
    ("star_assign_alone", "*a = [1]\n"),
    ("starred_expr_statement", "*a\n"),
    ("nested_def_bad_indent", "def train():\n    def inner():\n    return 1\n"),
    ("annotated_tuple", "a, b: int = 1, 2\n"),
    ("del_literal", "del 1\n"),
    ("dict_missing_value", "d = {'a': }\n"),
    ("backslash_continuation_eof", "x = 1 + \\\n"),
    ("unterminated_fstring", "x = f'{a'\n"),
    ("except_and_except_star", "try:\n    pass\nexcept ValueError:\n    pass\nexcept* OSError:\n    pass\n"),
    ("async_comprehension_outside", "x = [y async for y in z]\n"),
    ("async_for_outside", "def f():\n    async for x in y:\n        pass\n"),
    ("kwargs_then_star", "f(**a, *b)\n"),
    ("param_after_kwargs", "def f(**k, a):\n    pass\n"),
    ("nul_byte", "x = 1\x00\n"),
    ("return_in_class_body", "class A:\n    return 1\n"),
    ("yield_in_lambda_ok_but_return_in_nested", "def f():\n    class B:\n        yield 1\n"),
    ("bom_inside", "x = 1\n\ufeffy = 2\n"),
]


def run(src):
    try:
        ast.parse(src, "<training>")
        return {"valid": True}
    except SyntaxError as e:  # includes IndentationError / TabError
        return {"valid": False, "line": e.lineno, "column": e.offset, "message": e.msg, "kind": type(e).__name__}
    except ValueError as e:  # e.g. NUL bytes on < 3.12
        return {"valid": False, "line": None, "column": None, "message": str(e), "kind": type(e).__name__}


def main():
    out = sys.stdout
    names = set()
    rows = []
    for case in CASES:
        name, src = case[0], case[1]
        opts = case[2] if len(case) > 2 else {}
        assert name not in names, name
        names.add(name)
        r = run(src)
        row = {"name": name, "source": src, "cpython": r}
        for v in ("py312", "py314"):
            if v in opts:
                row[v + "Valid"] = bool(opts[v])
        rows.append(row)
    out.write("// GENERATED by test/python/gen/corpus.py — do not edit by hand.\n")
    out.write("// CPython %s ast.parse() verdicts for the static-check corpus.\n" % sys.version.split()[0])
    out.write("export interface CorpusCase {\n  name: string;\n  source: string;\n")
    out.write("  cpython: { valid: boolean; line?: number | null; column?: number | null; message?: string; kind?: string };\n")
    out.write("  /** Verdict under Python 3.12+ / 3.14+ when it differs from the generator's CPython. */\n  py312Valid?: boolean;\n  py314Valid?: boolean;\n}\n\n")
    out.write("export const CPYTHON_VERSION = %s;\n\n" % json.dumps(sys.version.split()[0]))
    out.write("export const CORPUS: CorpusCase[] = [\n")
    for row in rows:
        out.write("  %s,\n" % json.dumps(row, ensure_ascii=True))
    out.write("];\n")


if __name__ == "__main__":
    main()
