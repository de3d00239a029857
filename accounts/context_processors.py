from __future__ import annotations

from accounts.permissions import PERMISSIONS


class _Can:
    """`{% if can.orders_create %}`: permission names with the dot as an underscore."""

    def __init__(self, role: str | None):
        self.role = role

    def __getattr__(self, name: str) -> bool:
        permission = name.replace("_", ".", 1)
        return self.role is not None and self.role in PERMISSIONS.get(permission, ())


def tenant(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "workshop": getattr(request, "workshop", None),
        "membership": membership,
        "can": _Can(membership.role if membership else None),
    }
