from __future__ import annotations

from accounts.lock import lock_after_seconds
from accounts.middleware import active_memberships
from accounts.permissions import role_can


class _Can:
    """`{% if can.orders_create %}`: permission names with the dot as an underscore.

    An unknown name raises UnknownPermission while the page renders. Django's templates
    swallow AttributeError (the button would silently vanish), but not a KeyError.
    """

    def __init__(self, role: str | None):
        self.role = role

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            # Python's own probes (copy, pickle, the debug page) are not permission names.
            raise AttributeError(name)
        return role_can(self.role, name.replace("_", ".", 1))


def tenant(request) -> dict:
    membership = getattr(request, "membership", None)
    workshop = getattr(request, "workshop", None)
    return {
        "workshop": workshop,
        "membership": membership,
        "can": _Can(membership.role if membership else None),
        # Already loaded by the tenant middleware: no extra query per page.
        "other_memberships": [
            m for m in active_memberships(request) if membership and m.pk != membership.pk
        ],
        "lock_after_seconds": lock_after_seconds(workshop),
    }
