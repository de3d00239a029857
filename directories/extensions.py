"""Extension point of the pick lists: other apps add suggestions of their own.

Directories never imports the apps downstream of it. The warehouse registers its
stocked products for the goods list from its AppConfig.ready(), so typing a goods line
offers what is on hand in the member's branch first, then the remembered entries.
"""

from __future__ import annotations

from collections.abc import Callable

# provider(request, term, limit) -> [{"value", "last_price", "hint"}], best first
Provider = Callable[..., list[dict]]
_PROVIDERS: dict[str, dict[str, Provider]] = {}


def register_suggestion_provider(name: str, *, kind: str, provider: Provider) -> None:
    _PROVIDERS.setdefault(str(kind), {})[name] = provider


def unregister_suggestion_provider(name: str, *, kind: str) -> None:
    _PROVIDERS.get(str(kind), {}).pop(name, None)


def extra_suggestions(request, kind: str, term: str, limit: int) -> list[dict]:
    """The other apps' suggestions for `kind`, in registration order, at most `limit`."""
    rows: list[dict] = []
    for provider in _PROVIDERS.get(str(kind), {}).values():
        rows.extend(provider(request, term, limit))
    return rows[:limit]
