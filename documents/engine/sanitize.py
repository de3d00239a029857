"""The allowlist a printed document may contain, enforced with nh3 (ammonia).

Used on save (documents/engine/checks.py reports what would be removed) and on every
render, so stored HTML from any time is cleaned by today's rules. No script, no event
handlers, no frames, forms, links, meta, base or style elements; images only from
``data:image/…`` or this app's ``/static/`` files; inline styles limited to layout and
typography properties, and none with ``url()``.
"""

from __future__ import annotations

import html as html_module
import re

import nh3

TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "div",
        "span",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "small",
        "sub",
        "sup",
        "mark",
        "blockquote",
        "pre",
        "code",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "colgroup",
        "col",
        "img",
        "figure",
        "figcaption",
        "section",
        "header",
        "footer",
        "article",
        "address",
        "abbr",
        "time",
        "wbr",
    ]
)
# Tags dropped with everything inside them.
CLEAN_CONTENT_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "textarea",
        "select",
        "option",
        "title",
        "head",
        "meta",
        "link",
        "base",
        "form",
        "button",
        "input",
        "svg",
        "math",
        "noembed",
        "xmp",
    ]
)
ATTRIBUTES = {
    "*": {"class", "style", "title", "lang", "dir"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "img": {"src", "alt"},
    "time": {"datetime"},
}
STYLE_PROPERTIES = frozenset(
    [
        "color",
        "background-color",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "font-variant",
        "text-align",
        "text-decoration",
        "text-transform",
        "text-indent",
        "vertical-align",
        "line-height",
        "letter-spacing",
        "word-spacing",
        "white-space",
        "word-break",
        "overflow-wrap",
        "width",
        "height",
        "min-width",
        "max-width",
        "min-height",
        "max-height",
        "box-sizing",
        "margin",
        "margin-top",
        "margin-right",
        "margin-bottom",
        "margin-left",
        "padding",
        "padding-top",
        "padding-right",
        "padding-bottom",
        "padding-left",
        "border",
        "border-top",
        "border-right",
        "border-bottom",
        "border-left",
        "border-width",
        "border-style",
        "border-color",
        "border-collapse",
        "border-spacing",
        "border-radius",
        "border-top-width",
        "border-right-width",
        "border-bottom-width",
        "border-left-width",
        "border-top-style",
        "border-right-style",
        "border-bottom-style",
        "border-left-style",
        "border-top-color",
        "border-right-color",
        "border-bottom-color",
        "border-left-color",
        "display",
        "float",
        "clear",
        "table-layout",
        "list-style-type",
        "page-break-before",
        "page-break-after",
        "page-break-inside",
        "break-before",
        "break-after",
        "break-inside",
        "column-count",
        "column-gap",
    ]
)

# Image sources: an embedded picture, or one of our own static files.
_DATA_IMAGE = re.compile(
    r"data:image/(png|jpeg|gif|webp|svg\+xml)(;[a-z0-9=._+-]+)*(;base64)?,", re.IGNORECASE
)
_STATIC_PATH = re.compile(r"/static/[A-Za-z0-9_./-]+")
# What never belongs in a style attribute, even inside an allowed property.
_STYLE_DANGER = re.compile(
    r"url\s*\(|expression\s*\(|@import|javascript:|\\|image-set|-moz-binding"
)


def allowed_image(src: str) -> bool:
    src = src.strip()
    if _DATA_IMAGE.match(src):
        return True
    return bool(_STATIC_PATH.fullmatch(src)) and ".." not in src and "//" not in src


def safe_style(value: str) -> bool:
    return not _STYLE_DANGER.search(re.sub(r"/\*.*?\*/|\s+", "", value.lower()))


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "src":
        return value if element == "img" and allowed_image(value) else None
    if attribute == "style":
        return value if safe_style(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(CLEAN_CONTENT_TAGS),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=None,
    url_schemes={"data"},
    filter_style_properties=set(STYLE_PROPERTIES),
)


def sanitize(html: str) -> str:
    """The document HTML with everything outside the allowlist removed."""
    return _CLEANER.clean(html)


# Plain text (an SMS, a letter's text part): every tag goes, what dangerous tags hold too.
_TEXT_CLEANER = nh3.Cleaner(
    tags=set(), clean_content_tags=set(CLEAN_CONTENT_TAGS), attributes={}, strip_comments=True
)


def to_text(html: str) -> str:
    """Autoescaped sandbox output as plain text: tags removed, entities turned back."""
    return html_module.unescape(_TEXT_CLEANER.clean(html))
