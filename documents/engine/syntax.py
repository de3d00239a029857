"""The functional-variable syntax of document templates, compiled to Jinja.

A template is HTML with two additions a non-programmer learns from one example:

- ``{client.name}`` prints a value (empty prints nothing);
- ``[[S/N: {device.serial}; ]]`` prints everything between the double brackets only
  when every variable inside is filled, and cuts all of it when one is empty.

Jinja's own ``{{ … }}``, ``{% … %}`` and ``{# … #}`` pass through untouched (loops over
lines, conditions), so ``{{x}}`` is never read as a variable. The compiled source has
the same line breaks as the original, so Jinja's line numbers point at the user's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from documents.engine.problems import Problem, TemplateProblem, line_of

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
PATH = rf"{NAME}(?:\.{NAME})*"
_VARIABLE = re.compile(rf"\{{({PATH})\}}")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_JINJA_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
GROUP_OPEN, GROUP_CLOSE = "[[", "]]"


@dataclass(frozen=True)
class Variable:
    path: str
    line: int


@dataclass(frozen=True)
class Compiled:
    source: str  # Jinja source
    variables: tuple[Variable, ...]


def _group_head(paths: list[str]) -> str:
    condition = " and ".join(f"{p} is filled" for p in dict.fromkeys(paths))
    return "{% if " + condition + " %}"


def compile_template(text: str) -> Compiled:
    """Translate the functional syntax to Jinja; TemplateProblem on a malformed group."""
    out: list[str] = []  # where text goes: the document, or the open group's buffer
    group: list[str] | None = None
    group_paths: list[str] = []
    group_start = 0
    variables: list[Variable] = []
    problems: list[Problem] = []
    i, n = 0, len(text)
    target = out
    while i < n:
        two = text[i : i + 2]
        if two in _JINJA_CLOSE:
            raw = _RAW_START.match(text, i)
            if raw:
                end = _RAW_END.search(text, raw.end())
                stop = end.end() if end else n
            else:
                close = text.find(_JINJA_CLOSE[two], i + 2)
                stop = close + 2 if close != -1 else n  # Jinja reports the unclosed tag
            target.append(text[i:stop])
            i = stop
            continue
        if two == GROUP_OPEN:
            if group is not None:
                problems.append(Problem("nested_group", line_of(text, i)))
                break
            group, group_paths, group_start = [], [], i
            target = group
            i += 2
            continue
        if two == GROUP_CLOSE and group is not None:
            if not group_paths:
                problems.append(Problem("empty_group", line_of(text, group_start)))
                break
            out.append(_group_head(group_paths) + "".join(group) + "{% endif %}")
            group, target = None, out
            i += 2
            continue
        if text[i] == "{":
            match = _VARIABLE.match(text, i)
            if match:
                path = match.group(1)
                variables.append(Variable(path, line_of(text, i)))
                if group is not None:
                    group_paths.append(path)
                target.append("{{ " + path + " }}")
                i = match.end()
                continue
        # Copy a run of plain text up to the next character that may start something.
        j = i + 1
        while j < n and text[j] not in "{[]":
            j += 1
        target.append(text[i:j])
        i = j
    if group is not None and not problems:
        problems.append(Problem("unclosed_group", line_of(text, group_start)))
    if problems:
        raise TemplateProblem(problems)
    return Compiled("".join(out), tuple(variables))


def is_filled(value) -> bool:
    """What "filled" means for a group: not None, not blank text, not an empty list."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return bool(value)
    return True
