"""The tenancy sweep: every URL with an object id, requested by a member of another workshop.

New URL patterns are picked up by themselves. A pattern whose keyword argument
has no sample below fails the sweep until a sample (an object of the victim
workshop) is added here, so no new URL goes unchecked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Answers that reveal nothing about another workshop's object.
SAFE_STATUSES = {403, 404, 405}

# Patterns reached without a workshop (public links carrying an unguessable token), with why.
PUBLIC_PATTERNS: dict[str, str] = {
    "status": "the client's order-status page: the token (144 random bits) is the key",
    "status_approve": "the estimate's approval on that page, by the same token",
}


@dataclass
class Victim:
    """Objects of the workshop an outsider must never reach; later issues add their own."""

    workshop: object
    branch: object
    director: object
    manager: object
    extra: dict[str, object] = field(default_factory=dict)


# kwarg name -> how to get a value for the victim's object. Each app adds its own in
# `<app>/tests/tenancy_samples.py`: `SAMPLES` (same shape) and `build(victim)`, which
# creates that app's objects in the victim workshop and stores them in `victim.extra`.
SAMPLES: dict[str, Callable[[Victim], object]] = {
    "branch_id": lambda v: v.branch.pk,
    "membership_id": lambda v: v.manager.pk,
}
APPS = ["accounts", "directories", "orders", "cashdesk", "documents", "warehouse", "notifications"]


def app_sample_modules() -> list:
    modules = []
    for app in APPS:
        try:
            modules.append(import_module(f"{app}.tests.tenancy_samples"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.tests.tenancy_samples":
                raise
    return modules


for _module in app_sample_modules():
    SAMPLES.update(getattr(_module, "SAMPLES", {}))


@dataclass
class Route:
    name: str
    pattern: str
    kwargs: tuple[str, ...]


def iter_routes(urlconf: str | None = None) -> Iterator[Route]:
    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                child_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), child_ns)
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                converters = getattr(entry.pattern, "converters", {})
                yield Route(name=name or "", pattern=full, kwargs=tuple(converters))

    yield from walk(get_resolver(urlconf).url_patterns, "", "")


def sweep(client: Client, victim: Victim, urlconf: str | None = None) -> list[str]:
    """Request every id-carrying route with the victim's ids; return what leaked."""
    failures: list[str] = []
    for route in iter_routes(urlconf):
        if not route.kwargs or route.name in PUBLIC_PATTERNS:
            continue
        if not route.name:
            failures.append(f"{route.pattern}: unnamed pattern with an id cannot be swept")
            continue
        missing = [k for k in route.kwargs if k not in SAMPLES]
        if missing:
            failures.append(f"{route.name}: add a sample for {missing} to tests/tenancy.py")
            continue
        kwargs = {k: SAMPLES[k](victim) for k in route.kwargs}
        url = reverse(route.name, kwargs=kwargs, urlconf=urlconf)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code not in SAFE_STATUSES:
                failures.append(f"{method.upper()} {url} ({route.name}) -> {response.status_code}")
    return failures
