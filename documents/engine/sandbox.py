"""Rendering user templates in Jinja's ImmutableSandboxedEnvironment, with caps.

The sandbox stops attribute tricks (``''.__class__``), but has no time or memory
limit of its own. Besides the worker process's hard limits (documents/engine/worker.py),
this environment caps what one expression can build, so a template fails with a
clear message long before it exhausts anything:

- string and list repetition (``*``), ``+``, ``~`` and the ``replace`` filter may
  produce at most MAX_STRING characters; ``**`` and big-integer products are bounded;
- ``%`` formatting of text is refused, and so are ``str.format``, ``center``,
  ``indent``, ``wordwrap`` and every other method or filter not on the lists below;
- ``range()`` gives at most MAX_RANGE numbers; the output stops at MAX_OUTPUT;
- ``namespace``/``lipsum`` are gone (no accumulating state across loop iterations),
  there is no loader (no include/import/extends) and no extension.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2 import filters as jinja_filters
from jinja2 import tests as jinja_tests
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from documents.engine.problems import Problem, TemplateProblem
from documents.engine.syntax import compile_template, is_filled

MAX_SOURCE = 100_000  # characters of template source
MAX_STRING = 200_000  # characters one expression may build
MAX_OUTPUT = 1_000_000  # characters of rendered document
MAX_RANGE = 1_000
MAX_INT_BITS = 512
MAX_POWER = 64


class LimitExceeded(SecurityError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _check_length(value: Any) -> Any:
    if _length(value) > MAX_STRING:
        raise LimitExceeded("too_long", limit=MAX_STRING)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded("number_too_big")
    return value


def _capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded("range_too_big", limit=MAX_RANGE)
    return numbers


def _replace(eval_ctx, value, old, new, count=None):
    text, old_s, new_s = str(value), str(old), str(new)
    hits = text.count(old_s) if old_s else len(text) + 1
    if count is not None:
        hits = min(hits, max(int(count), 0))
    if len(text) + hits * (len(new_s) - len(old_s)) > MAX_STRING:
        raise LimitExceeded("too_long", limit=MAX_STRING)
    return jinja_filters.do_replace(eval_ctx, value, old, new, count)


_replace.jinja_pass_arg = jinja_filters.do_replace.jinja_pass_arg  # type: ignore[attr-defined]


def _batch(value, linecount, fill_with=None):
    if int(linecount) < 1 or int(linecount) > MAX_RANGE:
        raise LimitExceeded("range_too_big", limit=MAX_RANGE)
    return jinja_filters.do_batch(value, linecount, fill_with)


# The filters a document needs; everything that pads, formats or marks text safe is out.
_FILTER_NAMES = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "forceescape",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "wordcount",
]
FILTERS: dict[str, Callable] = {name: jinja_filters.FILTERS[name] for name in _FILTER_NAMES}
FILTERS.update(replace=_replace, batch=_batch)

# Methods that may be called on values: read-only, and their output is no longer than
# their input (no padding, no formatting).
SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        [
            "upper",
            "lower",
            "title",
            "capitalize",
            "strip",
            "lstrip",
            "rstrip",
            "startswith",
            "endswith",
            "split",
            "isdigit",
            "isalpha",
            "count",
            "find",
        ]
    ),
    dict: frozenset({"items", "keys", "values", "get"}),
    list: frozenset({"index", "count"}),
}


def _filled_test(value) -> bool:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return is_filled(value)


class _Codegen(CodeGenerator):
    """Route ``a ~ b`` through a length check, the one way to build text that Jinja does
    not let an environment intercept."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.checked_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _Codegen
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            autoescape=True,
            undefined=StrictUndefined,
            loader=None,
            extensions=(),
            auto_reload=False,
            cache_size=0,
        )
        self.filters = dict(FILTERS)
        self.tests = dict(jinja_tests.TESTS)
        self.tests["filled"] = _filled_test
        self.globals = {"range": _capped_range}

    @staticmethod
    def checked_concat(value):
        return _check_length(value)

    def wrap_str_format(self, value):
        # str.format / format_map get no sandboxed wrapper: they are simply not allowed.
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        for kind, allowed in SAFE_METHODS.items():
            if isinstance(obj, kind):
                if callable(value):
                    return attr in allowed
                break
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "%" and isinstance(left, str):
            raise LimitExceeded("percent_format")
        both_int = isinstance(left, int) and isinstance(right, int)
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                repeated = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if repeated and len(seq) * max(count, 0) > MAX_STRING:
                    raise LimitExceeded("too_long", limit=MAX_STRING)
            if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise LimitExceeded("number_too_big")
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER:
                raise LimitExceeded("number_too_big")
            if both_int and right > 0 and left.bit_length() * right > MAX_INT_BITS:
                raise LimitExceeded("number_too_big")
        if operator_name == "+" and _length(left) + _length(right) > MAX_STRING:
            raise LimitExceeded("too_long", limit=MAX_STRING)
        return _check_length(self.binop_table[operator_name](left, right))


_ENV: DocumentEnvironment | None = None


def environment() -> DocumentEnvironment:
    global _ENV
    if _ENV is None:
        _ENV = DocumentEnvironment()
    return _ENV


def _template_line(exc: BaseException) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites tracebacks so its
    frames carry the template's name and line)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == "<template>":
            line = frame.lineno
    return line


_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def problem_of(exc: BaseException) -> Problem:
    """Turn an exception raised while rendering into a Problem with its line."""
    line = _template_line(exc)
    if isinstance(exc, LimitExceeded):
        return Problem(exc.code, line, exc.params)
    if isinstance(exc, TemplateSyntaxError):
        return Problem("syntax", exc.lineno, {"detail": exc.message or str(exc)})
    if isinstance(exc, SecurityError):
        return Problem("security", line, {"detail": str(exc)})
    if isinstance(exc, UndefinedError):
        match = _UNDEFINED_NAME.search(str(exc))
        name = next((g for g in match.groups() if g), "") if match else ""
        return Problem("undefined", line, {"name": name, "detail": str(exc)})
    if isinstance(exc, RecursionError):
        return Problem("recursion", line)
    if isinstance(exc, MemoryError):
        return Problem("memory", line)
    if isinstance(exc, TypeError) and "no loader" in str(exc):
        return Problem("include", line)
    if isinstance(exc, TemplateError):
        return Problem("render_error", line, {"detail": str(exc)})
    return Problem("render_error", line, {"detail": f"{type(exc).__name__}: {exc}"})


_COMPILED: dict[str, Any] = {}
_COMPILED_MAX = 64


def load(text: str):
    """The compiled Jinja template for user source `text` (cached; raises TemplateProblem)."""
    if len(text) > MAX_SOURCE:
        raise TemplateProblem([Problem("too_large", None, {"limit": MAX_SOURCE})])
    cached = _COMPILED.get(text)
    if cached is not None:
        return cached
    compiled = compile_template(text)
    try:
        template = environment().from_string(compiled.source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem([problem_of(exc)]) from None
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[text] = template
    return template


def render(text: str, context: dict) -> str:
    """Render user source with a plain context; TemplateProblem on any failure."""
    template = load(text)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise LimitExceeded("output_too_large", limit=MAX_OUTPUT)
            parts.append(chunk)
    except Exception as exc:  # every failure of user code becomes a message
        raise TemplateProblem([problem_of(exc)]) from None
    return "".join(parts)
