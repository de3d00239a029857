"""The functional-variable syntax: what prints when a field is filled or empty."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from documents.engine import sandbox
from documents.engine.problems import TemplateProblem
from documents.engine.syntax import compile_template, is_filled

pytestmark = pytest.mark.django_db


def render(source: str, context: dict) -> str:
    return sandbox.render(source, context)


def test_syntax_variable_prints_its_value_escaped():
    assert render("<p>{client.name}</p>", {"client": {"name": "Иван <b>"}}) == (
        "<p>Иван &lt;b&gt;</p>"
    )


def test_syntax_group_prints_only_when_filled():
    source = "Device[[, S/N: {device.serial};]] ok"
    assert render(source, {"device": {"serial": "PF2"}}) == "Device, S/N: PF2; ok"
    assert render(source, {"device": {"serial": ""}}) == "Device ok"
    assert render(source, {"device": {"serial": "   "}}) == "Device ok"


def test_syntax_group_with_two_variables_needs_both():
    source = "[[{a} and {b}]]"
    assert render(source, {"a": "1", "b": "2"}) == "1 and 2"
    assert render(source, {"a": "1", "b": ""}) == ""
    assert render(source, {"a": "", "b": "2"}) == ""


def test_syntax_group_spans_lines_and_keeps_line_numbers():
    compiled = compile_template("one\n[[two\n{x}\nthree]]\n{y}")
    assert compiled.source.count("\n") == 4
    assert [(v.path, v.line) for v in compiled.variables] == [("x", 3), ("y", 5)]


def test_syntax_leaves_jinja_untouched():
    source = "{{x}} {{ x }} {% if x %}{x}{% endif %}{# {x} #}{% raw %}{x}{% endraw %}"
    assert render(source, {"x": "X"}) == "X X X{x}"


def test_syntax_lists_in_loops():
    source = "{% for l in lines %}[[{l.name} × {l.quantity}; ]]{% endfor %}"
    lines = [
        {"name": "A", "quantity": 2},
        {"name": "", "quantity": 1},
        {"name": "C", "quantity": 3},
    ]
    assert render(source, {"lines": lines}) == "A × 2; C × 3; "


def test_syntax_css_braces_are_not_variables():
    compiled = compile_template("a{color:red} b{ margin: 0 } c{}")
    assert compiled.variables == ()
    assert compiled.source == "a{color:red} b{ margin: 0 } c{}"


def test_syntax_stray_closing_brackets_are_text():
    assert render("a ]] b [x]", {}) == "a ]] b [x]"


@pytest.mark.parametrize(
    "source, code, line",
    [
        ("ok\n[[ {x} ", "unclosed_group", 2),
        ("[[ no variable ]]", "empty_group", 1),
        ("[[ {x} [[ {y} ]] ]]", "nested_group", 1),
    ],
)
def test_syntax_malformed_groups_are_reported_with_their_line(source, code, line):
    with pytest.raises(TemplateProblem) as caught:
        compile_template(source)
    assert [(p.code, p.line) for p in caught.value.problems] == [(code, line)]


def test_syntax_filled_means_not_blank():
    assert [is_filled(v) for v in (None, "", "  ", [], {}, False)] == [False] * 6
    assert [is_filled(v) for v in ("x", 0, "0,00", [1], {"a": 1}, True)] == [True] * 6


# Property: any filled/empty combination prints exactly the text a person expects.
_TEXT = st.text(alphabet="abcXYZ ёжи,.:;-()/№1", min_size=0, max_size=8)
_VALUE = st.one_of(st.just(""), st.text(alphabet="abc <>&\"'Я12", min_size=1, max_size=6))
_NAMES = ["client.name", "client.phone", "device.serial", "device.model", "order.problem"]


@st.composite
def _pieces(draw):
    """A template as pieces: ('text', s), ('var', name), or ('group', [pieces])."""
    pieces = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["text", "var", "group"]))
        if kind == "text":
            pieces.append(("text", draw(_TEXT)))
        elif kind == "var":
            pieces.append(("var", draw(st.sampled_from(_NAMES))))
        else:
            inner = [("text", draw(_TEXT))]
            for _ in range(draw(st.integers(1, 3))):
                inner.append(("var", draw(st.sampled_from(_NAMES))))
                inner.append(("text", draw(_TEXT)))
            pieces.append(("group", inner))
    return pieces


def _source(pieces) -> str:
    out = []
    for kind, value in pieces:
        if kind == "text":
            out.append(value)
        elif kind == "var":
            out.append("{" + value + "}")
        else:
            out.append("[[" + _source(value) + "]]")
    return "".join(out)


def _expected(pieces, values: dict) -> str:
    out = []
    for kind, value in pieces:
        if kind == "text":
            out.append(value)
        elif kind == "var":
            out.append(str(escape(values[value])))
        elif all(values[v].strip() for k, v in value if k == "var"):
            out.append(_expected(value, values))
    return "".join(out)


def _context(values: dict) -> dict:
    context: dict = {}
    for path, value in values.items():
        group, name = path.split(".")
        context.setdefault(group, {})[name] = value
    return context


@settings(max_examples=300, deadline=None)
@given(pieces=_pieces(), values=st.fixed_dictionaries(dict.fromkeys(_NAMES, _VALUE)))
def test_syntax_property_filled_and_empty_combinations(pieces, values):
    source = _source(pieces)
    rendered = render(source, _context(values))
    assert rendered == _expected(pieces, values)
