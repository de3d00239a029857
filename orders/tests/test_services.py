"""The services package: its public names, the field policy, the people who work in a branch."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership, Role
from accounts.permissions import PERMISSIONS
from accounts.tests.factories import MembershipFactory
from orders import selectors, services
from orders.models import Order

pytestmark = pytest.mark.django_db


def test_services_package_keeps_every_public_name_on_services():
    from orders.services import journal_record, order_update

    assert services.order_update is order_update
    assert services.journal_record is journal_record
    assert all(hasattr(services, name) for name in services.__all__)


@pytest.mark.parametrize("field", ["version", "workshop", "client_is_deleted", "device_client"])
def test_order_update_refuses_a_field_outside_the_policy(manager, repair_order, field):
    with pytest.raises(ValueError, match="cannot set"):
        services.order_update(order=repair_order, data={field: "1"}, version=1, by=manager)


def test_order_update_saves_nothing_when_one_of_its_rows_is_invalid(manager, repair_order):
    with pytest.raises(ValidationError) as exc:
        services.order_update(
            order=repair_order,
            data={"diagnosis": "Board", "client_email": "not an e-mail"},
            version=1,
            by=manager,
        )
    assert list(exc.value.message_dict) == ["client_email"]
    fresh = Order.objects.select_related("client").get(pk=repair_order.pk)
    assert (fresh.version, fresh.diagnosis, fresh.client.email) == (1, "", "")
    assert list(fresh.journal.values_list("action", flat=True)) == ["created"]


def test_order_update_copies_the_saved_order_back_onto_the_callers(manager, repair_order):
    services.order_update(
        order=repair_order,
        data={"diagnosis": "  Board  ", "client_name": "Иван П."},
        version=1,
        by=manager,
    )
    assert (repair_order.version, repair_order.diagnosis) == (2, "Board")
    assert repair_order.client.name == "Иван П."


def test_working_in_is_the_branchs_people_and_the_every_branch_roles(
    workshop, branch, other_branch, director, manager, technician, outsider
):
    north = MembershipFactory(workshop=workshop, role=Role.TECHNICIAN, branches=[other_branch])
    MembershipFactory(workshop=workshop, role=Role.MANAGER, branches=[branch], is_active=False)
    assert list(selectors.branch_members(workshop, [branch])) == sorted(
        [director.pk, manager.pk, technician.pk],
        key=lambda pk: (Membership.objects.get(pk=pk).user.full_name, pk),
    )
    assert set(selectors.branch_members(workshop, [other_branch])) == {director.pk, north.pk}
    assert outsider not in Membership.objects.working_in([branch, other_branch])


def test_working_in_reads_every_branch_access_from_the_permission_table(
    monkeypatch, workshop, branch, other_branch, manager
):
    assert manager not in Membership.objects.working_in([other_branch])
    monkeypatch.setitem(
        PERMISSIONS, "accounts.all_branches", frozenset({Role.DIRECTOR, Role.MANAGER})
    )
    assert list(Membership.objects.working_in([other_branch])) == [manager]
