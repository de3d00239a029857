"""The cash desk's objects in the victim workshop, for the tenancy sweep (tests/tenancy.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from cashdesk import payroll, services
from cashdesk.models import Export

SAMPLES = {
    "shift_id": lambda v: v.extra["shift"].pk,
    "cash_entry_id": lambda v: v.extra["cash_entry"].pk,
    "work_member_id": lambda v: v.manager.pk,
    "salary_member_id": lambda v: v.manager.pk,
    "payroll_id": lambda v: v.extra["payroll"].pk,
    "export_id": lambda v: v.extra["export"].pk,
}


def build(victim) -> None:
    # A prepayment on the victim's order (orders' samples built it), then a closed shift
    # and an entry in the open one: every id an outsider might try.
    order = victim.extra["order"]
    services.prepayment_take(
        order=order, amounts={"cash": Decimal("1000")}, by=victim.manager, key=None
    )
    shift = services.shift_open(branch=victim.branch, by=victim.director)
    closed, _next = services.shift_close(shift=shift, counted=Decimal("1000"), by=victim.director)
    entry = services.deposit_record(
        branch=victim.branch, amount=Decimal("50"), by=victim.director, key=None
    )
    victim.extra.update(shift=closed, cash_entry=entry, open_shift=_next)
    # A closed payroll and an export of the victim's director.
    start = timezone.localdate().replace(day=1) - datetime.timedelta(days=40)
    closed_payroll = payroll.payroll_close(
        workshop=victim.workshop,
        start=start,
        end=start + datetime.timedelta(days=5),
        by=victim.director,
    )
    export = Export.objects.create(
        workshop=victim.workshop, what="entries", requested_by=victim.director, params={}
    )
    victim.extra.update(payroll=closed_payroll, export=export)
