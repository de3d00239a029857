"""Hostile templates: the issue's bad-input list and more, each with a clear problem.

`check()` is what a save runs (static checks, then a render with a sample); `render()`
is what every print runs (sandbox, caps, sanitiser). None of these may raise, hang,
print script or point outside the document.
"""

from __future__ import annotations

import pytest

from documents.engine import api, sandbox
from documents.engine.sanitize import sanitize

pytestmark = pytest.mark.django_db

SCHEMA = {
    "client": {"name": None, "phone": None},
    "device": {"serial": None, "model": None},
    "order": {"number": None, "problem": None},
    "lines": [{"name": None, "quantity": None, "total": None}],
}
SAMPLE = {
    "client": {"name": "Иван Петров", "phone": "+7 912 345-67-89"},
    "device": {"serial": "PF2ABC", "model": "IdeaPad 5"},
    "order": {"number": 42, "problem": "Не включается"},
    "lines": [
        {"name": "Диагностика", "quantity": 1, "total": "500,00"},
        {"name": "Замена экрана", "quantity": 1, "total": "4 200,00"},
    ],
}


def errors(source: str) -> list[tuple[str, int | None]]:
    result = api.check(source, SCHEMA, [SAMPLE])
    return [(p["code"], p["line"]) for p in result["problems"] if p["level"] == "error"]


def codes(source: str) -> set[str]:
    return {code for code, _ in errors(source)}


# ---------------------------------------------------------------- the issue's list

ISSUE_LIST = [
    ("<div><b>bold\n<p>text", {"unclosed_tag"}),  # malformed HTML, unclosed tags
    ("<table><tr><td>one\n</div>", {"unexpected_close", "unclosed_tag"}),
    ("<p>{device.seriall}</p>", {"unknown_variable"}),
    ("{% if order.number %}no end", {"syntax"}),
    ("{{ ''.__class__.__mro__ }}", {"security"}),
    ("{{ client.name|attr('format') }}", {"syntax"}),
    ("{% for i in range(10**9) %}x{% endfor %}", {"range_too_big"}),
    ("{{ 'a' * 50_000_000 }}", {"too_long"}),
    ("<script>alert(1)</script>", {"forbidden_tag"}),
    ("<img src=x onerror=alert(1)>", {"event_handler", "external_resource"}),
    ("<link href=file:///etc/passwd>", {"forbidden_tag"}),
    ('<p style="background: url(http://127.0.0.1:9/x)">x</p>', {"style_url"}),
    ("x" * 5_000_000, {"too_large"}),
]


@pytest.mark.parametrize("source, expected", ISSUE_LIST, ids=[s[:30] for s, _ in ISSUE_LIST])
def test_hostile_issue_list_is_refused_with_a_message(source, expected):
    assert codes(source) == expected


def test_hostile_problems_point_at_their_line():
    source = "<p>ok</p>\n<p>{client.name}</p>\n<p>{device.seriall}</p>\n<script>x</script>"
    assert errors(source) == [("unknown_variable", 3), ("forbidden_tag", 4)]


def test_hostile_syntax_error_points_at_its_line():
    assert errors("<p>one</p>\n<p>two</p>\n{% for l in lines %}\n{{ l.name }}") == [("syntax", 4)]


# ---------------------------------------------------------------- our own list

SANDBOX_ESCAPES = [
    "{{ ''.__class__.__base__.__subclasses__() }}",
    "{{ lines.__class__ }}",
    "{{ range.__globals__ }}",
    "{{ client.name.__len__ }}",
    "{{ '{0.__class__}'.format(client) }}",
    "{{ 'x'.format_map(client) }}",
    "{{ client.name.join(lines) }}",
    "{{ lines.append(1) }}",
    "{{ client.update({'name': 'x'}) }}",
    "{{ client.pop('name') }}",
    "{% for l in lines %}{{ loop.__class__ }}{% endfor %}",
    "{{ self.__init__ }}",
    "{{ lines|sort(attribute='__class__') }}",
    "{{ client['__class__'] }}",
]


@pytest.mark.parametrize("source", SANDBOX_ESCAPES)
def test_hostile_sandbox_escapes_are_security_errors(source):
    # On save they are refused (some already by the unknown-variable check) ...
    assert codes(source) & {"security", "unknown_variable"}
    # ... and a print, which renders without the save-time checks, meets the sandbox.
    result = api.render(source, SAMPLE)
    assert [p["code"] for p in result["problems"]] == ["security"]


NOT_AVAILABLE = [
    ("{{ 'a'|center(100000000) }}", "syntax"),
    ("{{ 'a'|indent(100000000) }}", "syntax"),
    ("{{ 'a'|wordwrap(5) }}", "syntax"),
    ("{{ client.name|safe }}", "syntax"),
    ("{{ client|tojson }}", "syntax"),
    ("{{ client|pprint }}", "syntax"),
    ("{{ lines|map('attr', '__class__')|list }}", "render_error"),
    ("{{ lipsum(1000000) }}", "unknown_variable"),
    ("{% set ns = namespace(n=0) %}", "unknown_variable"),
    ("{{ cycler.__init__.__globals__ }}", "unknown_variable"),
    ("{{ dict.mro() }}", "unknown_variable"),
    ("{% include '/etc/passwd' %}", "include"),
    ("{% import 'x.html' as x %}", "include"),
    ("{% extends 'base.html' %}", "include"),
    ("{% from 'x' import y %}", "include"),
]


@pytest.mark.parametrize("source, code", NOT_AVAILABLE)
def test_hostile_unavailable_features_are_refused(source, code):
    assert codes(source) == {code}


CAPS = [
    ("{{ 10 ** 1000 }}", "number_too_big"),
    ("{{ 2 ** 0.5 ** -100 }}", "number_too_big"),
    ("{{ (10 ** 60) * (10 ** 60) * (10 ** 60) * (10 ** 60) * (10 ** 60) }}", "number_too_big"),
    ("{% set s = 'x' * 100000 %}{{ s ~ s ~ s }}", "too_long"),
    ("{% set s = 'x' * 100000 %}{{ s + s + s }}", "too_long"),
    ("{{ ['x'] * 10000000 }}", "too_long"),
    ("{{ 10000000 * 'x' }}", "too_long"),
    ("{{ ('x' * 1000)|replace('x', 'y' * 1000) }}", "too_long"),
    ("{{ '%099999999d' % 1 }}", "percent_format"),
    ("{{ '%s' % client.name }}", "percent_format"),
    ("{{ lines|batch(1000000)|list }}", "range_too_big"),
    ("{% for i in range(1000) %}{{ 'x' * 100000 }}{% endfor %}", "output_too_large"),
    ("{% macro m(s) %}{{ m(s) }}{% endmacro %}{{ m('a') }}", "recursion"),
    (
        "{% set a = 'x' * 1000 %}{% set b = a ~ a %}{% set c = b ~ b %}{% set d = c ~ c %}"
        "{% set e = d ~ d %}{% set f = e ~ e %}{% set g = f ~ f %}{% set h = g ~ g %}"
        "{% set i = h ~ h %}{{ i|length }}",
        "too_long",
    ),
]


@pytest.mark.parametrize("source, code", CAPS)
def test_hostile_caps_stop_runaway_expressions(source, code):
    assert codes(source) == {code}


FORBIDDEN_HTML = [
    ("<iframe src=//evil.example></iframe>", "forbidden_tag"),
    ("<object data=x></object>", "forbidden_tag"),
    ("<embed src=x>", "forbidden_tag"),
    ("<form action=http://evil.example><input name=a></form>", "forbidden_tag"),
    ("<base href=http://evil.example/>", "forbidden_tag"),
    ("<meta http-equiv=refresh content='0;url=http://evil.example'>", "forbidden_tag"),
    ("<style>@import url(http://evil.example/a.css);</style>", "forbidden_tag"),
    ("<a href='javascript:alert(1)'>x</a>", "forbidden_tag"),
    ("<svg onload=alert(1)></svg>", "forbidden_tag"),
    ("<math><mi>x</mi></math>", "forbidden_tag"),
    ("<scr<script>ipt>alert(1)</script>", "forbidden_tag"),
    ("<img src='javascript:alert(1)'>", "script_url"),
    ("<img src='data:text/html;base64,PHNjcmlwdD4='>", "external_resource"),
    ("<img src='http://127.0.0.1:9/x.png'>", "external_resource"),
    ("<img src='//evil.example/x.png'>", "external_resource"),
    ("<img src='file:///etc/passwd'>", "external_resource"),
    ("<img src='/static/../../etc/passwd'>", "external_resource"),
    ("<div onclick='alert(1)'>x</div>", "event_handler"),
    ("<body onload='alert(1)'>x</body>", "event_handler"),
    ("<p style='width: expression(alert(1))'>x</p>", "style_url"),
    ("<p style='color: r\\65 d; background: u\\rl(http://x)'>x</p>", "style_url"),
    ("<p style='background-image: image-set(\"http://x\" 1x)'>x</p>", "style_url"),
    ("<td background='http://evil.example/x.png'>x</td>", "ignored_attribute"),
]


@pytest.mark.parametrize("source, code", FORBIDDEN_HTML)
def test_hostile_html_is_reported(source, code):
    result = api.check(source, SCHEMA, [SAMPLE])
    assert code in {p["code"] for p in result["problems"]}


@pytest.mark.parametrize(
    "source",
    [s for s, _ in FORBIDDEN_HTML]
    + [
        "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
        "<!-- <script>alert(1)</script> --><p>x</p>",
        "<img src=x onerror=alert(1)//",
        "<p>{{ '<script>alert(1)</script>' }}</p>",
        '<img """><script>alert(1)</script>">',
        "<table><td><style>x{}</style><svg><script>alert(1)</script></svg></td></table>",
    ],
)
def test_hostile_render_output_has_no_script_handler_or_outside_url(source):
    result = api.render(source, SAMPLE)
    html = (result.get("html") or "").lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<link",
        "<base",
        "<meta",
        "<form",
        "<object",
        "<embed",
        "<style",
        "url(",
        "http:",
        "file:",
        "//evil",
    ):
        assert needle not in html, (needle, html)


def test_hostile_data_values_are_escaped():
    context = {
        **SAMPLE,
        "client": {"name": "<script>alert(1)</script>", "phone": '"><img src=x onerror=alert(1)>'},
    }
    result = api.render('<p title="{client.phone}">{client.name}</p>', context)
    assert result["html"] == (
        '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">'
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_hostile_deeply_nested_html_is_fine():
    result = api.render("<div>" * 5000 + "x", SAMPLE)
    assert result["ok"] and result["html"].count("<div>") >= 1


def test_hostile_errors_never_raise():
    for source in ["{{ 1/0 }}", "{{ ('9' * 5000)|int }}", "\x00{{", "{% %}", "[[{x}", "{{ x }"]:
        result = api.check(source, SCHEMA, [SAMPLE])
        assert result["ok"] is True  # a list of problems, not an exception


def test_hostile_sanitiser_keeps_document_markup():
    html = (
        '<table class="doc-table"><thead><tr><th colspan="2" style="text-align: right">A</th>'
        '</tr></thead><tbody><tr><td rowspan="1">1</td></tr></tbody></table>'
        '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="QR"><p style="color: red">x</p>'
    )
    assert sanitize(html) == html.replace(": ", ":")


def test_hostile_check_accepts_a_clean_template():
    source = (
        "<h1>№ {order.number}</h1>\n<p>{client.name}[[, тел. {client.phone}]]</p>\n"
        "<table>{% for l in lines %}<tr><td>{l.name}</td><td>{{ l.total }}</td></tr>"
        "{% endfor %}</table>"
    )
    result = api.check(source, SCHEMA, [SAMPLE])
    assert result["problems"] == []
    assert "Иван Петров, тел. +7 912 345-67-89" in result["html"]


def test_hostile_source_size_is_capped_before_parsing():
    assert codes("{{" * (sandbox.MAX_SOURCE // 2 + 1)) == {"too_large"}
