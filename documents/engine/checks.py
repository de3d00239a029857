"""Save-time checks of a template's source, each pointing at a line.

The sanitiser would silently remove what is not allowed; on save the author is told
instead, so nothing they wrote disappears without a word. Errors stop the save (the
previous version stays); warnings are shown and the template is saved.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from documents.engine.problems import WARNING, Problem
from documents.engine.sanitize import ATTRIBUTES, STYLE_PROPERTIES, TAGS, allowed_image, safe_style
from documents.engine.syntax import PATH

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{" + PATH + r"\}", re.DOTALL)
_VOID = frozenset(
    [
        "br",
        "hr",
        "img",
        "col",
        "wbr",
        "area",
        "base",
        "embed",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
    ]
)
# Elements whose end tag HTML lets you leave out: never reported as unclosed.
_OPTIONAL_END = frozenset(
    [
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "option",
    ]
)
_IGNORED_WRAPPERS = frozenset({"html", "body"})
_STYLE_PROPERTY = re.compile(r"([a-zA-Z-]+)\s*:")


def blank_jinja(text: str) -> str:
    """Jinja tags and {variables} replaced by spaces (line breaks kept), so HTML checks
    see only HTML."""
    return _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[Problem] = []
        self.stack: list[tuple[str, int]] = []

    def _add(self, code: str, level: str = "error", **params) -> None:
        self.problems.append(Problem(code, self.getpos()[0], params, level))

    def handle_decl(self, decl: str) -> None:
        self._add("ignored_tag", WARNING, tag="!" + decl.split()[0].lower())

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs, closed=True)

    def handle_starttag(self, tag, attrs, closed: bool = False) -> None:
        if tag in _IGNORED_WRAPPERS:
            self._add("ignored_tag", WARNING, tag=tag)
            for name, _value in attrs:
                if name.startswith("on"):
                    self._add("event_handler", attribute=name, tag=tag)
            return
        if tag not in TAGS:
            self._add("forbidden_tag", tag=tag)
        else:
            self._check_attributes(tag, attrs)
        if tag not in _VOID and not closed:
            self.stack.append((tag, self.getpos()[0]))

    def _check_attributes(self, tag: str, attrs) -> None:
        allowed = ATTRIBUTES.get("*", set()) | ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._add("event_handler", attribute=name, tag=tag)
            elif "javascript:" in re.sub(r"\s+", "", value.lower()):
                self._add("script_url", attribute=name, tag=tag)
            elif name == "src" and tag == "img":
                if value.strip() and not allowed_image(value):
                    self._add("external_resource", attribute=name, tag=tag)
            elif name == "style":
                if not safe_style(value):
                    self._add("style_url", tag=tag)
                else:
                    for prop in _STYLE_PROPERTY.findall(value):
                        if prop.lower() not in STYLE_PROPERTIES:
                            self._add("ignored_style", WARNING, property=prop.lower())
            elif name in {"href", "action", "formaction", "srcset", "data", "poster"}:
                self._add("external_resource", attribute=name, tag=tag)
            elif name not in allowed:
                self._add("ignored_attribute", WARNING, attribute=name, tag=tag)

    def handle_endtag(self, tag) -> None:
        if tag in _IGNORED_WRAPPERS or tag in _VOID:
            return
        open_tags = [t for t, _ in self.stack]
        if tag not in open_tags:
            self._add("unexpected_close", tag=tag)
            return
        while self.stack:
            name, line = self.stack.pop()
            if name == tag:
                break
            if name not in _OPTIONAL_END:
                self.problems.append(Problem("unclosed_tag", line, {"tag": name}))

    def finish(self) -> list[Problem]:
        self.close()
        for name, line in self.stack:
            if name not in _OPTIONAL_END:
                self.problems.append(Problem("unclosed_tag", line, {"tag": name}))
        return self.problems


def check_html(text: str) -> list[Problem]:
    checker = _Checker()
    checker.feed(blank_jinja(text))
    return checker.finish()
