"""Keyset paging ("load more"): the next rows after the last one shown, never OFFSET.

Lists that grow (the Work page tabs, an order's journal, clients, the cash ledger, stock
movements) page by a unique, indexed key. Deep pages cost what the first page costs:
the database seeks to `key < after` on the index and reads `size + 1` rows; the extra
row only tells whether there is more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    more: bool  # whether another page follows
    after: Any  # the key to ask the next page for (the last row's), None when empty


def keyset_page(
    qs: QuerySet,
    *,
    after: Any = None,
    size: int,
    key: str = "id",
    descending: bool = True,
    build: Callable[[Any], Any] | None = None,
) -> Page:
    """The page of `qs` after key value `after` (the first page when None), by `key`.
    `build` turns each row `qs` yields (a values_list tuple, say) into what the page
    holds, which must carry `key` as an attribute."""
    qs = qs.order_by(f"-{key}" if descending else key)
    if after is not None:
        qs = qs.filter(**{f"{key}__{'lt' if descending else 'gt'}": after})
    rows = list(qs[: size + 1])
    if build is not None:
        rows = [build(row) for row in rows]
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, more, getattr(rows[-1], key) if rows else None)
