"""Who made a change, for writes that happen outside a web request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Record `user` in the change history of writes made by commands and the demo seed.

    In a request django-simple-history's middleware does this; elsewhere the
    history would say the change was made by nobody.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
