"""Directory entries of the victim workshop for the tenancy sweep."""

from __future__ import annotations

from directories.models import Kind
from directories.services import remember

SAMPLES = {
    "entry_id": lambda v: v.extra["directory_entry"].pk,
    # `kind` names a directory, not an object: every workshop has all of them, so an
    # outsider asking for a real kind legitimately gets their own workshop's list (that is
    # covered by directories/tests/test_suggest.py::test_suggest_never_shows_another_workshop
    # and test_manage.py). Here the sweep gets a kind that exists nowhere and must be a 404.
    "kind": lambda v: "no-such-directory",
}


def build(victim) -> None:
    victim.extra["directory_entry"] = remember(
        workshop=victim.workshop, kind=Kind.BRAND, value="Victimbrand Zyxw"
    )
