"""The event map, consent, the public status link and the message log."""

from __future__ import annotations

import datetime
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantModel, tenant_manager
from notifications.events import Channel, Event

# 18 random bytes, URL-safe base64: 144 bits (the issue asks for at least 128) in 24
# characters, so the link still fits in an SMS next to a short text.
TOKEN_BYTES = 18
TOKEN_LENGTH = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Settings(TenantModel):
    """A workshop's messaging settings; defaults when the row does not exist yet."""

    class Language(models.TextChoices):
        RU = "ru", _("Russian")
        EN = "en", _("English")

    language = models.CharField(
        _("language of the default texts"), max_length=2, choices=Language.choices, default="ru"
    )
    quiet_from = models.TimeField(_("no SMS from"), default=datetime.time(21, 0))
    quiet_until = models.TimeField(_("until"), default=datetime.time(9, 0))
    not_collected_days = models.PositiveSmallIntegerField(
        _("remind about an uncollected device after (days)"), default=3
    )
    hours = models.CharField(
        _("opening hours (shown on the status page)"), max_length=200, blank=True
    )
    approval_enabled = models.BooleanField(
        _("clients may approve the estimate on the status page"), default=True
    )

    class Meta:
        verbose_name = _("message settings")
        constraints = [
            models.UniqueConstraint(fields=["workshop"], name="notif_settings_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}"

    def is_quiet(self, local: datetime.time) -> bool:
        start, end = self.quiet_from, self.quiet_until
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


class Rule(TenantModel):
    """One cell of the map: an event on one channel, on or off, with its text."""

    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(_("send"), default=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=5000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message rule")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "event", "channel"], name="notif_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.channel}"


class Consent(TenantModel):
    """A client's choice per channel; no row means both channels are allowed."""

    client = models.ForeignKey("orders.Client", on_delete=models.CASCADE, related_name="+")
    sms = models.BooleanField(_("SMS"), default=True)
    email = models.BooleanField(_("e-mail"), default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent to messages")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "client"], name="notif_consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: sms={self.sms} email={self.email}"

    def allows(self, channel: str) -> bool:
        return self.sms if channel == Channel.SMS else self.email


class StatusLinkQuerySet(models.QuerySet):
    def live(self) -> StatusLinkQuerySet:
        return self.filter(revoked_at__isnull=True)


class StatusLink(TenantModel):
    """The public page's link of one order: a random token, revocable; a new one on
    request (the old row is kept revoked, so a printed QR code stops working)."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The estimate sent for approval, and the client's approval on the public page.
    approval_asked_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_ip = models.GenericIPAddressField(null=True, blank=True)
    approved_estimate = models.CharField(max_length=32, blank=True)

    objects = tenant_manager(StatusLinkQuerySet)

    class Meta:
        verbose_name = _("status link")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "token"], name="notif_link_token_unique"),
            # One live link per order.
            models.UniqueConstraint(
                fields=["workshop", "order"],
                condition=models.Q(revoked_at__isnull=True),
                name="notif_link_live_unique",
            ),
        ]
        indexes = [
            # The public page finds a link by its token alone (the token is the secret).
            models.Index(fields=["token"], name="notif_link_token_idx"),
            models.Index(fields=["workshop", "order"], name="notif_link_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.token[:6]}…"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("not sent")


class Message(TenantModel):
    """One message to one recipient: the log line on the order card and the send's state."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # What makes a message the same message: the event and channel, plus for repeating
    # reminders the day. A second identical move finds the row and sends nothing.
    key = models.CharField(max_length=100)
    recipient = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "order", "key"], name="notif_message_once"),
        ]
        indexes = [
            models.Index(fields=["workshop", "order", "-id"], name="notif_message_order_idx"),
            models.Index(fields=["workshop", "status", "send_after"], name="notif_message_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.key} {self.status}"
