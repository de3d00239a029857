from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError, scope

from accounts.models import Branch, TenantModel
from tests.tenancy import sweep

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
TENANT_APPS = {
    "accounts",
    "directories",
    "orders",
    "cashdesk",
    "documents",
    "warehouse",
    "notifications",
}
# Models that are above or beside the tenant: the tenant itself and the person.
NOT_TENANT_OWNED = {"accounts.Workshop", "accounts.User"}


def test_tenancy_sweep_every_id_url_is_404_for_an_outsider(outsider_client, victim):
    assert sweep(outsider_client, victim) == []


def test_tenancy_sweep_catches_a_deliberately_unscoped_view(outsider_client, victim, settings):
    settings.ROOT_URLCONF = "tests.leaky_urls"
    failures = sweep(outsider_client, victim, urlconf="tests.leaky_urls")
    assert any("leaky_branch" in failure and "-> 200" in failure for failure in failures)


def test_tenancy_sweep_demands_a_sample_for_unknown_ids(outsider_client, victim, settings):
    settings.ROOT_URLCONF = "tests.unknown_kwarg_urls"
    failures = sweep(outsider_client, victim, urlconf="tests.unknown_kwarg_urls")
    assert failures == ["mystery: add a sample for ['mystery_id'] to tests/tenancy.py"]


def test_tenant_query_outside_a_scope_raises():
    from django_scopes import scope

    with scope(), pytest.raises(ScopeError):
        list(Branch.objects.all())


def test_every_tenant_model_carries_a_non_null_workshop():
    """The Citus-ready invariant: workshop on every row, in every unique constraint."""
    problems = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in TENANT_APPS or label in NOT_TENANT_OWNED:
            continue
        if model.__name__.startswith("Historical"):
            continue
        try:
            field = model._meta.get_field("workshop")
        except Exception:
            problems.append(f"{label}: no workshop field")
            continue
        if field.null or not isinstance(field, models.ForeignKey):
            problems.append(f"{label}: workshop must be a non-null foreign key")
        if not issubclass(model, TenantModel):
            problems.append(f"{label}: should derive from TenantModel")
        for constraint in model._meta.constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and "workshop" not in constraint.fields
            ):
                problems.append(f"{label}: unique constraint {constraint.name} lacks workshop")
        for fields in model._meta.unique_together:
            if "workshop" not in fields:
                problems.append(f"{label}: unique_together {fields} lacks workshop")
    assert problems == []


def test_scopes_disabled_call_sites_are_pinned():
    """Each escape from the tenant scope is reviewed; adding one means updating this count."""
    counts = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or "/tests/" in relative:
            continue
        if relative == "conftest.py":
            continue
        n = path.read_text(encoding="utf-8").count("scopes_disabled()")
        if n:
            counts[relative] = n
    assert counts == {
        "workshop/management/commands/seed_demo.py": 1,
        # the worker's send (no request, the row names its workshop), the periodic run
        # over every workshop, the public status page finding a token's workshop
        "notifications/tasks.py": 1,
        "notifications/services.py": 1,
        "notifications/views.py": 1,
    }


# Tenant models whose default manager may be used outside a workshop scope, and why.
UNSCOPED_MANAGERS = {
    # Read by the middleware to find the workshop (and so the scope) of a request.
    "accounts.Membership": "resolves request.workshop before any scope exists",
    # Opened by invited people who belong to no workshop yet (the join link).
    "accounts.Invitation": "the join link is followed before the person has a workshop",
}


def test_every_tenant_model_default_manager_is_scoped():
    """A forgotten workshop filter raises instead of leaking: the default manager of every
    tenant model is django-scopes', unless it is on the commented allow-list above."""
    problems = []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in TENANT_APPS or label in NOT_TENANT_OWNED:
            continue
        if model.__name__.startswith("Historical") or not issubclass(model, TenantModel):
            continue
        with scope():
            try:
                list(model._default_manager.all()[:1])
                scoped = False
            except ScopeError:
                scoped = True
        if scoped and label in UNSCOPED_MANAGERS:
            problems.append(f"{label}: scoped now, drop it from UNSCOPED_MANAGERS")
        elif not scoped and label not in UNSCOPED_MANAGERS:
            problems.append(f"{label}: default manager is not scoped (use tenant_manager)")
    assert problems == []
