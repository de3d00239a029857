"""What can be wrong with a template, as data: a code, the line, and parameters.

The engine has no translations (it runs without Django); the web side turns each code
into a sentence in the reader's language (documents/problems.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    code: str
    line: int | None = None
    params: dict = field(default_factory=dict)
    level: str = ERROR

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(
            code=str(data.get("code", "render_error")),
            line=data.get("line"),
            params=dict(data.get("params") or {}),
            level=data.get("level", ERROR),
        )


class TemplateProblem(Exception):
    """Raised by the engine with the problems that stop a template from rendering."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.code for p in problems))
        self.problems = problems


def line_of(text: str, index: int) -> int:
    """The 1-based line number of the character at `index`."""
    return text.count("\n", 0, index) + 1
