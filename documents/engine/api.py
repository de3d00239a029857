"""What the render worker can be asked to do, callable in-process too (tests, benchmarks).

Each operation takes and returns plain JSON-able values, so the web process sends
nothing but strings, numbers, lists and dicts and receives the same.
"""

from __future__ import annotations

import base64

from jinja2 import TemplateSyntaxError

from documents.engine import sandbox
from documents.engine.checks import check_html
from documents.engine.names import unknown_names
from documents.engine.pdf import html_to_pdf
from documents.engine.problems import ERROR, Problem, TemplateProblem
from documents.engine.sanitize import sanitize, to_text
from documents.engine.syntax import compile_template


def render(source: str, context: dict) -> dict:
    """The sanitised HTML of `source` rendered with `context`, or the problems."""
    try:
        html = sandbox.render(source, context)
    except TemplateProblem as exc:
        return {"ok": False, "problems": [p.as_dict() for p in exc.problems]}
    return {"ok": True, "html": sanitize(html)}


def render_text(source: str, context: dict) -> dict:
    """`source` rendered as plain text (messages): the same sandbox and sanitiser, then
    no tags and no HTML escapes, so "&" in a name stays "&" in an SMS."""
    result = render(source, context)
    if result["ok"]:
        result = {"ok": True, "text": to_text(result["html"])}
    return result


def check(source: str, schema: dict, contexts: list[dict]) -> dict:
    """Every problem of `source`: size, syntax, unknown variables, forbidden HTML, and
    what rendering it with each of `contexts` (a full sample, this order) runs into.
    Also returns the sanitised rendering with the first context when there is one."""
    if len(source) > sandbox.MAX_SOURCE:
        return {
            "ok": True,
            "problems": [Problem("too_large", None, {"limit": sandbox.MAX_SOURCE}).as_dict()],
            "html": None,
        }
    try:
        compiled = compile_template(source)
        tree = sandbox.environment().parse(compiled.source)
    except TemplateProblem as exc:
        return {"ok": True, "problems": [p.as_dict() for p in exc.problems], "html": None}
    except TemplateSyntaxError as exc:
        return {"ok": True, "problems": [sandbox.problem_of(exc).as_dict()], "html": None}
    problems = unknown_names(tree, schema) + check_html(source)
    html = None
    if not any(p.level == ERROR for p in problems):
        for index, context in enumerate(contexts):
            result = render(source, context)
            if not result["ok"]:
                problems += [Problem.from_dict(p) for p in result["problems"]]
                break
            if index == 0:
                html = result["html"]
    problems.sort(key=lambda p: (p.line or 0, p.level != ERROR))
    return {"ok": True, "problems": [p.as_dict() for p in problems], "html": html}


def pdf(page: str, static_roots: list[str]) -> dict:
    data, refused = html_to_pdf(page, static_roots)
    return {"ok": True, "pdf": base64.b64encode(data).decode("ascii"), "refused": refused}


def sanitize_html(html: str) -> dict:
    return {"ok": True, "html": sanitize(html)}


OPERATIONS = {
    "render": lambda req, cfg: render(req["source"], req["context"]),
    "render_text": lambda req, cfg: render_text(req["source"], req["context"]),
    "check": lambda req, cfg: check(req["source"], req["schema"], req["contexts"]),
    "pdf": lambda req, cfg: pdf(req["page"], cfg.get("static_roots", [])),
    "sanitize": lambda req, cfg: sanitize_html(req["html"]),
    "ping": lambda req, cfg: {"ok": True},
}
