"""The web process's way to render: through the worker pool, with hard limits.

Nothing here runs user code: `render_body`, `check_source` and `make_pdf` send plain
values to a worker process (documents/engine/worker.py) and wait at most
DOCUMENTS_RENDER_SECONDS (2 s) or DOCUMENTS_PDF_SECONDS (10 s). A worker past its
limit is killed; the caller gets a problem to show, never a hang or a 500.
The page around a document (our stylesheets, the paper size) is a Django template;
the document inside it is always sanitised HTML.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from documents.engine.pool import WorkerError, WorkerPool, register
from documents.engine.problems import ERROR, Problem
from documents.engine.sanitize import sanitize as sanitize_html
from documents.types import Paper

APP_STATIC = Path(__file__).resolve().parent / "static"


def _setting(name: str, default):
    return getattr(settings, name, default)


def render_seconds() -> float:
    return float(_setting("DOCUMENTS_RENDER_SECONDS", 2.0))


def pdf_seconds() -> float:
    return float(_setting("DOCUMENTS_PDF_SECONDS", 10.0))


def static_roots() -> list[str]:
    """Where the PDF step may read /static/ files: the collected files first (hashed
    names in production), then the source folders."""
    roots = [Path(settings.STATIC_ROOT)] if getattr(settings, "STATIC_ROOT", None) else []
    roots += [Path(p) for p in getattr(settings, "STATICFILES_DIRS", [])] + [APP_STATIC]
    return [str(r) for r in roots if r.is_dir()]


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def pool() -> WorkerPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = register(
                WorkerPool(
                    static_roots=static_roots(),
                    memory_mb=int(_setting("DOCUMENTS_WORKER_MEMORY_MB", 768)),
                    max_idle=int(_setting("DOCUMENTS_WORKERS_IDLE", 2)),
                )
            )
        return _pool


@dataclass
class Result:
    html: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def ok(self) -> bool:
        return self.html is not None and not self.errors


def _run(request: dict, seconds: float) -> dict:
    try:
        return pool().run(request, seconds)
    except WorkerError as exc:
        params = {"seconds": f"{seconds:g}"} if exc.code == "timeout" else {}
        return {"ok": False, "problems": [{"code": exc.code, "params": params}]}


def _problems(answer: dict) -> list[Problem]:
    return [Problem.from_dict(p) for p in answer.get("problems", [])]


def render_body(source: str, context: dict) -> Result:
    """The sanitised HTML of a template rendered with a context (a print, a preview)."""
    answer = _run({"op": "render", "source": source, "context": context}, render_seconds())
    if answer.get("ok"):
        return Result(html=answer["html"])
    return Result(problems=_problems(answer))


def render_text(source: str, context: dict) -> tuple[str | None, list[Problem]]:
    """A template rendered as plain text (customers' messages), in the worker."""
    answer = _run({"op": "render_text", "source": source, "context": context}, render_seconds())
    if answer.get("ok"):
        return answer["text"], []
    return None, _problems(answer)


def check_source(source: str, schema: dict, contexts: list[dict]) -> Result:
    """Every problem of a template (the save-time check), and its rendering with the
    first context when it has no error."""
    answer = _run(
        {"op": "check", "source": source, "schema": schema, "contexts": contexts},
        render_seconds() * max(1, len(contexts)),
    )
    return Result(html=answer.get("html"), problems=_problems(answer))


def sanitize(html: str) -> str:
    """Stored HTML (a printed copy) cleaned again by today's rules before it is shown.
    nh3 runs no user code, so this needs no worker."""
    return sanitize_html(html)


def page(
    body: str,
    *,
    paper: str,
    title: str,
    back_url: str | None = None,
    preview: bool = False,
    lang: str = "ru",
) -> str:
    """The whole HTML page around a sanitised document body."""
    if paper not in Paper.values:
        paper = Paper.A4
    return render_to_string(
        "documents/page.html",
        {
            "body": body,
            "paper": paper,
            "title": title,
            "back_url": back_url,
            "preview": preview,
            "lang": lang,
        },
    )


def make_pdf(page_html: str) -> tuple[bytes | None, list[Problem]]:
    answer = _run({"op": "pdf", "page": page_html}, pdf_seconds())
    if answer.get("ok"):
        return base64.b64decode(answer["pdf"]), []
    return None, _problems(answer)
