"""The engine's problem codes as sentences in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.engine.problems import ERROR, Problem

MESSAGES = {
    "too_large": _("The template is too long: at most %(limit)s characters."),
    "unclosed_group": _("“[[” is never closed with “]]”."),
    "empty_group": _("“[[ … ]]” has no variable inside; write one like {client.phone}."),
    "nested_group": _("“[[ … ]]” cannot contain another “[[ … ]]”."),
    "syntax": _("Template syntax error: %(detail)s"),
    "unknown_variable": _("Unknown variable “%(name)s”: see the list of variables below."),
    "undefined": _("Unknown variable “%(name)s”: see the list of variables below."),
    "security": _("This is not allowed in a document template (%(detail)s)."),
    "include": _("Templates cannot include, import or extend other templates."),
    "too_long": _("An expression builds text longer than %(limit)s characters."),
    "number_too_big": _("A number in the template grows too large."),
    "percent_format": _("“%%” formatting of text is not available; print variables instead."),
    "range_too_big": _("Loops and batches are limited to %(limit)s items."),
    "output_too_large": _("The document comes out longer than %(limit)s characters."),
    "recursion": _("A macro calls itself too deeply."),
    "memory": _("Rendering the template needs too much memory."),
    "timeout": _("Rendering took longer than %(seconds)s seconds and was stopped."),
    "worker_died": _("The document renderer stopped; try again."),
    "worker_failed": _("The document renderer is not available; try again."),
    "render_error": _("The template cannot be rendered: %(detail)s"),
    "forbidden_tag": _("The tag <%(tag)s> is not allowed in documents; it would be removed."),
    "event_handler": _(
        "Event handlers such as %(attribute)s are not allowed: documents run no script."
    ),
    "script_url": _("A script link in %(attribute)s is not allowed."),
    "external_resource": _(
        "%(attribute)s of <%(tag)s> points outside the document: images must be embedded "
        "(data:image/…) or come from /static/."
    ),
    "style_url": _("A style with url(), expression() or escapes is not allowed."),
    "unclosed_tag": _("<%(tag)s> is opened here but never closed."),
    "unexpected_close": _("</%(tag)s> closes a tag that was not opened."),
    "ignored_tag": _("<%(tag)s> is not needed and will be ignored."),
    "ignored_attribute": _(
        "The attribute %(attribute)s of <%(tag)s> will be ignored; use style instead."
    ),
    "ignored_style": _("The style property %(property)s will be ignored."),
}


@dataclass(frozen=True)
class Message:
    text: str
    line: int | None
    is_error: bool

    def __str__(self) -> str:
        if self.line:
            return gettext("Line %(line)s: %(text)s") % {"line": self.line, "text": self.text}
        return self.text


def message(problem: Problem) -> Message:
    template = MESSAGES.get(problem.code, MESSAGES["render_error"])
    params = {"detail": problem.code, "limit": "", "seconds": "", **problem.params}
    try:
        text = str(template) % params
    except (KeyError, ValueError, TypeError):
        text = str(template)
    return Message(text, problem.line, problem.level == ERROR)


def messages(problems: list[Problem]) -> list[Message]:
    return [message(p) for p in problems]
