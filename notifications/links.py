"""The public status link of an order: made when first needed, revoked, regenerated."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import StatusLink, new_token

SAMPLE_TOKEN = "x" * 24  # the sample order's link in template checks; matches nothing


def base_url() -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")


def url_of(token: str) -> str:
    return base_url() + reverse("status", kwargs={"status_token": token})


def live_link(order) -> StatusLink | None:
    return StatusLink.objects.filter(workshop_id=order.workshop_id, order=order).live().first()


def link_for(order) -> StatusLink:
    """The order's live link, made now if it has none."""
    link = live_link(order)
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return StatusLink.objects.create(
                workshop_id=order.workshop_id, order=order, token=new_token()
            )
    except IntegrityError:  # made by a parallel request a moment ago
        return live_link(order)


def status_url(order) -> str:
    """The absolute link for documents and messages ("" for an unsaved sample order)."""
    if order.pk is None:
        return url_of(SAMPLE_TOKEN)
    return url_of(link_for(order).token)


@transaction.atomic
def link_revoke(*, order) -> None:
    StatusLink.objects.filter(workshop_id=order.workshop_id, order=order).live().update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def link_regenerate(*, order) -> StatusLink:
    """A new token; the old link (and every printed QR code of it) stops working.
    What the old link carried (an estimate asked or approved) moves to the new one."""
    old = live_link(order)
    link_revoke(order=order)
    link = StatusLink(workshop_id=order.workshop_id, order=order, token=new_token())
    if old is not None:
        link.approval_asked_at = old.approval_asked_at
        link.approved_at = old.approved_at
        link.approved_ip = old.approved_ip
        link.approved_estimate = old.approved_estimate
    link.full_clean()
    link.save()
    return link
