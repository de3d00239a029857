"""The permission sweep: every URL, as each role of one workshop and as an outsider.

Each URL pattern is reversed with objects of the personas' own workshop (the samples the
tenancy sweep uses, tests/tenancy.py and <app>/tests/tenancy_samples.py, built in the
personas' workshop) and requested with GET and POST. What the answer must be comes from
data, never from a list of URLs:

- The view's `required_permission` (and `post_permission` for a POST), set by @requires,
  looked up in accounts/permissions.py: a role without it gets 403; a role with it gets
  an answer that is neither 403 nor 404 (nor the sign-in page, nor a server error).
- HIDDEN: object states the app treats as missing for roles without a permission (a
  deleted order is gone for whoever cannot restore it). Every URL taking such an object
  is requested again with it: 404 for a role that has the view's permission but not that
  one, so the object cannot be told apart from one that does not exist.
- An outsider, a signed-in director of another workshop, gets 403 or 404 from every URL
  that names an object of this workshop.
- A 405 from a role that may use the view means the view takes no such method; that
  method is not judged for anyone.

A view without @requires must be on UNGUARDED with the reason. New URL patterns are
swept by themselves; one whose id has no sample fails until <app>/tests/tenancy_samples.py
has one. Each URL is one test, and each test starts from the same data (see `world`); within it
the requests go from the least to the most privileged person, GETs before POSTs, so the
director's POSTs (which may deactivate a branch or a colleague) come last.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django_scopes import scopes_disabled

from accounts.models import Role
from accounts.permissions import role_can
from accounts.tests.factories import BranchFactory, MembershipFactory, WorkshopFactory
from directories.models import Kind as DirectoryKind
from orders import services as orders_services
from orders.tests import tenancy_samples as orders_samples
from tests.tenancy import SAMPLES, Route, Victim, app_sample_modules, iter_routes

pytestmark = pytest.mark.django_db

# Views without @requires, and why nobody's role matters for them.
UNGUARDED: dict[str, str] = {
    "healthz": "the load balancer's probe: no data, no session",
    "accounts:login": "public: signing in",
    "accounts:logout": "signing out is everyone's",
    "accounts:register": "public: creating a workshop",
    "accounts:register_sent": "public: the one answer to every registration",
    "accounts:confirm": "public: the e-mailed link is a signed token",
    "accounts:join": "public: the invitation link is a signed token",
    "accounts:password_reset": "public: asking for a reset letter",
    "accounts:password_reset_done": "public: the one answer to every reset request",
    "accounts:password_reset_confirm": "public: the e-mailed link is a signed token",
    "accounts:password_reset_complete": "public: a plain message",
    "accounts:password_change": "any signed-in person's own password",
    "accounts:pin_set": "any signed-in person's own PIN",
    "accounts:pin_change": "any signed-in person's own PIN",
    "accounts:lock": "any signed-in person's screen lock",
    "accounts:unlock": "any signed-in person's screen lock",
    "accounts:activity": "any signed-in person's idle clock",
    "accounts:switch_workshop": "any signed-in person's own memberships (others are 404)",
    "status": "public: the client's order-status page, keyed by its unguessable token",
    "status_approve": "public: approving the estimate on that page, by the same token",
}

# Views that check a second permission for a POST inside their body. Each should say so
# with @requires(..., post=...) (then it leaves this table, see the test below); until then
# the sweep knows it from here, with the answer the view gives to a role without it.
POST_CHECKED_INSIDE: dict[str, tuple[str, int]] = {
    "orders:card": ("orders.edit_work", 404),
    "orders:client": ("clients.edit", 403),
    "orders:device": ("clients.edit", 403),
}

# Keyword arguments that name no object of a workshop (every workshop has every directory),
# so an outsider legitimately gets their own workshop's page.
NOT_OBJECTS = {"kind"}
# The tenancy sweep's samples point at things that exist nowhere; here they must exist.
OWN_SAMPLES: dict[str, Callable[[Victim], object]] = {"kind": lambda v: DirectoryKind.BRAND}

PERSONAS = ("outsider", "technician", "manager", "director")  # least privileged first
ROLES = {"technician": Role.TECHNICIAN, "manager": Role.MANAGER, "director": Role.DIRECTOR}
LOGIN_PATH = reverse("accounts:login")


@dataclass(frozen=True)
class Hidden:
    """An object state that is missing (404) for roles without `seen_with`.

    `build` makes such an object in the workshop (given its second branch) and returns the
    URL keyword arguments that name it; every route taking one of them is swept with it.
    """

    name: str
    seen_with: str
    kwargs: frozenset[str]
    build: Callable[[Victim, object], dict[str, object]]


def _deleted_order(v: Victim, other_branch) -> dict[str, object]:
    order = _another_order(v, v.branch)
    orders_services.order_soft_delete(order=order, by=v.director)
    return {"order_number": order.number, "line_id": order.lines.get().pk}


def _order_of_another_branch(v: Victim, other_branch) -> dict[str, object]:
    order = _another_order(v, other_branch)
    return {"order_number": order.number, "line_id": order.lines.get().pk}


def _deleted_client(v: Victim, other_branch) -> dict[str, object]:
    client = v.extra["client"]
    orders_services.client_soft_delete(client=client, by=v.director)
    return {"client_id": client.pk, "device_id": v.extra["device"].pk}


def _another_order(v: Victim, branch):
    """Another order like the orders sample, in `branch`."""
    extra = Victim(workshop=v.workshop, branch=branch, director=v.director, manager=v.manager)
    orders_samples.build(extra)
    return extra.extra["order"]


ORDER_KWARGS = frozenset({"order_number", "line_id"})
HIDDEN = [
    Hidden("deleted order", "orders.delete", ORDER_KWARGS, _deleted_order),
    Hidden(
        "order of another branch", "accounts.all_branches", ORDER_KWARGS, _order_of_another_branch
    ),
    Hidden(
        "deleted client", "clients.delete", frozenset({"client_id", "device_id"}), _deleted_client
    ),
]


def expected(route: Route, view, method: str, persona: str, hidden: Hidden | None):
    """The statuses a persona may get, or None for "served" (neither 403 nor 404).

    In the order a request meets them: @requires (before the view runs), the lookup of a
    hidden object, then a POST permission the view checks inside.
    """
    if persona == "outsider":
        return {403, 404}
    role = ROLES[persona]
    post = method == "post"
    declared = [view.required_permission, getattr(view, "post_permission", None) if post else None]
    if not all(role_can(role, p) for p in declared if p):
        return {403}
    if hidden is not None and not role_can(role, hidden.seen_with):
        return {404}
    inside = POST_CHECKED_INSIDE.get(route.name) if post else None
    if inside and not role_can(role, inside[0]):
        return {inside[1]}
    return None


def _judge(response, want) -> bool:
    if want is not None:
        return response.status_code in want
    signed_out = response.status_code == 302 and response.url.startswith(LOGIN_PATH)
    return response.status_code not in {403, 404} and response.status_code < 500 and not signed_out


def sweep_route(
    route: Route,
    clients: dict[str, Client],
    samples: dict[str, object],
    *,
    hidden: Hidden | None = None,
    urlconf: str | None = None,
) -> list[str]:
    """Request one route as every persona; return what disagrees with the table."""
    if not route.name:
        return [f"{route.pattern}: an unnamed pattern cannot be swept"]
    missing = [k for k in route.kwargs if k not in samples]
    if missing:
        return [f"{route.name}: add a sample for {missing} to <app>/tests/tenancy_samples.py"]
    url = reverse(route.name, kwargs={k: samples[k] for k in route.kwargs}, urlconf=urlconf)
    view = resolve(url, urlconf=urlconf).func
    if not hasattr(view, "required_permission"):
        if route.name in UNGUARDED:
            return []
        return [f"{route.name}: no @requires and not on UNGUARDED in {__name__}"]
    names_objects = bool(set(route.kwargs) - NOT_OBJECTS)
    personas = [p for p in PERSONAS if p != "outsider" or (names_objects and hidden is None)]
    answers = {
        (method, persona): getattr(clients[persona], method)(url)
        for method in ("get", "post")
        for persona in personas
    }
    failures = []
    for (method, persona), response in answers.items():
        if answers[(method, "director")].status_code == 405:
            continue  # the view takes no such method
        want = expected(route, view, method, persona, hidden)
        if not _judge(response, want):
            about = f" ({hidden.name})" if hidden else ""
            said = "served" if want is None else " or ".join(map(str, sorted(want)))
            failures.append(
                f"{method.upper()} {url} ({route.name}{about}) as {persona}: "
                f"{response.status_code}, the table says {said}"
            )
    return failures


# Collected once: the project's routes, and the (route, hidden object) pairs to sweep.
ROUTES = {route.name or route.pattern: route for route in iter_routes()}
HIDDEN_CASES = [
    pytest.param(route, rule, id=f"{name}:{rule.name.replace(' ', '-')}")
    for name, route in ROUTES.items()
    for rule in HIDDEN
    if set(route.kwargs) & rule.kwargs
]


@dataclass
class World:
    """The personas' workshop with every app's samples, and a signed-in session per persona."""

    victim: Victim
    other_branch: object
    sessions: dict[str, str]
    samples: dict[str, object]


@contextmanager
def _rolled_back():
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end.

    Each test runs in a savepoint of it (pytest-django's own, as for Django's
    TestCase.setUpTestData), so whatever a test's requests change is undone before the
    next one: a fresh database per case without rebuilding it 150 times. The personas are
    those of the root conftest.py, made the same way.
    """
    with django_db_blocker.unblock(), scopes_disabled(), _rolled_back():
        workshop = WorkshopFactory(name="Alpha Repair")
        branch = BranchFactory(workshop=workshop, name="Central")
        other_branch = BranchFactory(workshop=workshop, name="North")
        members = {
            "director": MembershipFactory(workshop=workshop, role=Role.DIRECTOR),
            "manager": MembershipFactory(workshop=workshop, role=Role.MANAGER, branches=[branch]),
            "technician": MembershipFactory(
                workshop=workshop, role=Role.TECHNICIAN, branches=[branch]
            ),
        }
        beta = WorkshopFactory(name="Beta Service")
        members["outsider"] = MembershipFactory(
            workshop=beta, role=Role.DIRECTOR, branches=[BranchFactory(workshop=beta)]
        )
        victim = Victim(
            workshop=workshop,
            branch=branch,
            director=members["director"],
            manager=members["manager"],
        )
        for module in app_sample_modules():
            module.build(victim)
        samples = {k: f(victim) for k, f in {**SAMPLES, **OWN_SAMPLES}.items()}
        yield World(victim, other_branch, {p: _session(m) for p, m in members.items()}, samples)


def _session(member) -> str:
    client = Client()
    client.force_login(member.user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def clients(world) -> dict[str, Client]:
    """A fresh browser per persona and test, on the persona's session."""
    browsers = {}
    for persona, key in world.sessions.items():
        browsers[persona] = Client()
        browsers[persona].cookies[settings.SESSION_COOKIE_NAME] = key
    return browsers


@pytest.mark.parametrize("route", ROUTES.values(), ids=ROUTES.keys())
def test_permission_sweep_every_url_follows_the_table(route, world, clients):
    assert sweep_route(route, clients, world.samples) == []


@pytest.mark.parametrize(("route", "rule"), HIDDEN_CASES)
def test_permission_sweep_hidden_objects_are_missing_without_the_permission(
    route, rule, world, clients
):
    samples = {**world.samples, **rule.build(world.victim, world.other_branch)}
    assert sweep_route(route, clients, samples, hidden=rule) == []


def test_permission_sweep_catches_an_unguarded_view(world, clients, settings):
    """A view that claims a permission it does not check, and one that claims none."""
    urlconf = "tests.permission_leaky_urls"
    settings.ROOT_URLCONF = urlconf
    leaky = {r.name: r for r in iter_routes(urlconf) if r.name.startswith("leaky_")}
    failures = [
        failure
        for route in leaky.values()
        for failure in sweep_route(route, clients, world.samples, urlconf=urlconf)
    ]
    assert sorted(failures) == [
        "GET /leak/staff/ (leaky_staff) as manager: 200, the table says 403",
        "GET /leak/staff/ (leaky_staff) as technician: 200, the table says 403",
        "POST /leak/staff/ (leaky_staff) as manager: 200, the table says 403",
        "POST /leak/staff/ (leaky_staff) as technician: 200, the table says 403",
        f"leaky_report: no @requires and not on UNGUARDED in {__name__}",
    ]


def test_permission_sweep_sees_every_route_and_no_stale_exceptions():
    names = set(ROUTES)
    assert {"home", "accounts:staff", "orders:card", "directories:entry"} <= names
    assert set(UNGUARDED) <= names, "UNGUARDED names a URL that is gone"
    guarded = {
        name
        for name, route in ROUTES.items()
        if hasattr(resolve(_any_url(route)).func, "required_permission")
    }
    assert set(UNGUARDED) & guarded == set(), "a view on UNGUARDED has @requires now"
    assert set(POST_CHECKED_INSIDE) <= guarded


def test_no_two_apps_claim_one_sample_name():
    """SAMPLES is keyed by URL keyword: a second app's `entry_id` replaces the first's, and
    both sweeps then request one app's URLs with the other app's ids."""
    claims: dict[str, list[str]] = {}
    for module in app_sample_modules():
        for kwarg in getattr(module, "SAMPLES", {}):
            claims.setdefault(kwarg, []).append(module.__name__.split(".")[0])
    assert {k: apps for k, apps in claims.items() if len(apps) > 1} == {}


def test_views_move_from_the_inside_table_to_requires():
    """Once a view declares its POST permission with @requires, it leaves the table here."""
    for name, (permission, _status) in POST_CHECKED_INSIDE.items():
        view = resolve(_any_url(ROUTES[name])).func
        assert getattr(view, "post_permission", None) is None, (
            f"{name} declares post={view.post_permission!r}: drop it from POST_CHECKED_INSIDE"
        )
        assert role_can(Role.DIRECTOR, permission)


def _any_url(route: Route) -> str:
    return reverse(route.name, kwargs={k: _PLACEHOLDERS.get(k, "1") for k in route.kwargs})


# Values that merely fit each converter, to resolve a pattern to its view without data.
_PLACEHOLDERS = {"kind": "brand", "uidb64": "MQ", "token": "x-y"}
