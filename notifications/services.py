"""Queueing and sending customers' messages, consent, the estimate's approval, reminders.

A move of an order (orders' move hook) or a button queues an event: one Message row per
channel the map has on, written in the caller's transaction (a rolled-back move leaves
none) and handed to the task queue on commit. The row is the log line and the
idempotence key at once: (order, key) is unique, so the same status set twice finds the
row and sends nothing. The task renders the text in the documents' sandbox worker and
sends it; a failure is a status and a reason on the row, never an exception in the
request that moved the order.
"""

from __future__ import annotations

import datetime
import logging
import random
import smtplib
from dataclasses import dataclass

import phonenumbers
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from documents import problems as problem_text
from documents import rendering
from documents.engine.problems import Problem
from notifications import defaults, links, sms
from notifications.context import message_context
from notifications.events import (
    STAFF_EVENTS,
    Channel,
    Event,
    channels_of,
    event_for_move,
)
from notifications.models import Consent, Message, MessageStatus, Rule, Settings, StatusLink
from orders.services import journal_record
from orders.workflow import CLOSED, OPEN, Status

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)  # a claimed message is not claimed again meanwhile


class NotificationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- the map and settings


def settings_for(workshop) -> Settings:
    found = Settings.objects.filter(workshop=workshop).first()
    if found is not None:
        return found
    language = "en" if str(django_settings.LANGUAGE_CODE).startswith("en") else "ru"
    return Settings(workshop=workshop, language=language)


def default_rule(workshop, event: str, channel: str, language: str) -> Rule:
    subject, body = defaults.default_text(language, Event(event), channel)
    return Rule(
        workshop=workshop,
        event=event,
        channel=channel,
        enabled=defaults.default_enabled(Event(event), channel),
        subject=subject,
        body=body,
    )


def rules_for(workshop) -> dict[tuple[str, str], Rule]:
    """Every cell of the map: the saved rule, or the default one (unsaved)."""
    language = settings_for(workshop).language
    saved = {(r.event, r.channel): r for r in Rule.objects.filter(workshop=workshop)}
    return {
        (event.value, channel.value): saved.get((event, channel))
        or default_rule(workshop, event, channel, language)
        for event in Event
        for channel in channels_of(event)
    }


def rule_for(workshop, event: str, channel: str) -> Rule:
    found = Rule.objects.filter(workshop=workshop, event=event, channel=channel).first()
    return found or default_rule(workshop, event, channel, settings_for(workshop).language)


@transaction.atomic
def rule_save(*, workshop, event: str, channel: str, enabled: bool, subject: str, body: str):
    rule = rule_for(workshop, event, channel)
    rule.enabled, rule.subject, rule.body = enabled, subject, body
    rule.updated_at = timezone.now()
    rule.full_clean()
    rule.save()
    return rule


def consent_for(client) -> Consent:
    found = Consent.objects.filter(workshop_id=client.workshop_id, client=client).first()
    return found or Consent(workshop_id=client.workshop_id, client=client)


@transaction.atomic
def consent_set(*, client, sms_ok: bool, email_ok: bool, by) -> Consent:
    consent = consent_for(client)
    consent.sms, consent.email = sms_ok, email_ok
    consent.updated_at, consent.updated_by = timezone.now(), by
    consent.full_clean()
    consent.save()
    return consent


# ---------------------------------------------------------------- queueing


def is_mobile(phone: str) -> bool:
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def _recipient(order, event: str, channel: str) -> tuple[str, MessageStatus | None, str]:
    """Who gets it, or why nobody does: (address, SKIPPED/FAILED or None, reason)."""
    if event in STAFF_EVENTS:
        user = order.assignee.user if order.assignee_id else None
        if user is None or not user.email:
            return "", MessageStatus.SKIPPED, _("the order has no assignee with an e-mail")
        return user.email, None, ""
    client = order.client
    if client is None:
        return "", MessageStatus.SKIPPED, _("the order has no client")
    if not consent_for(client).allows(channel):
        return "", MessageStatus.SKIPPED, _("the client declined this channel")
    if channel == Channel.EMAIL:
        if not client.email:
            return "", MessageStatus.SKIPPED, _("the client has no e-mail")
        return client.email, None, ""
    if not client.phone:
        return "", MessageStatus.SKIPPED, _("the client has no phone")
    if not is_mobile(client.phone):
        return client.phone, MessageStatus.FAILED, _("not a mobile number")
    return client.phone, None, ""


def next_allowed(when: datetime.datetime, config: Settings) -> datetime.datetime:
    """`when`, or the end of the quiet hours it falls in (local time of the workshop)."""
    local = timezone.localtime(when)
    if not config.is_quiet(local.time()):
        return when
    end = local.replace(
        hour=config.quiet_until.hour,
        minute=config.quiet_until.minute,
        second=0,
        microsecond=0,
    )
    if end <= local:
        end += datetime.timedelta(days=1)
    return end


def event_queue(*, order, event: str, by=None, key_suffix: str = "", now=None) -> list[Message]:
    """Queue `event` for `order` on every channel the map has on; send after commit.
    Messages already queued for the same (event, channel, suffix) are left alone."""
    now = now or timezone.now()
    config = settings_for(order.workshop)
    made = []
    for channel in channels_of(Event(event)):
        rule = rule_for(order.workshop, event, channel)
        if not rule.enabled:
            continue
        key = f"{event}:{channel}{key_suffix}"
        if Message.objects.filter(workshop_id=order.workshop_id, order=order, key=key).exists():
            continue
        recipient, outcome, reason = _recipient(order, event, channel)
        send_after = now
        if channel == Channel.SMS and outcome is None:
            send_after = next_allowed(now, config)
        message, created = Message.objects.get_or_create(
            workshop_id=order.workshop_id,
            order=order,
            key=key,
            defaults={
                "event": event,
                "channel": channel,
                "recipient": recipient,
                "status": outcome or MessageStatus.QUEUED,
                "reason": reason,
                "send_after": send_after if outcome is None else None,
                "created_at": now,
                "by": by,
            },
        )
        if not created:
            continue
        made.append(message)
        if outcome is None:
            _enqueue_on_commit(message)
    return made


def _enqueue_on_commit(message: Message) -> None:
    def enqueue() -> None:
        from notifications.tasks import send_message

        try:
            task = send_message
            if message.send_after and message.send_after > timezone.now():
                if not send_message.get_backend().supports_defer:
                    return  # the periodic run (notifications_tick) sends it when due
                task = send_message.using(run_after=message.send_after)
            task.enqueue(message_id=message.pk)
        except Exception:  # the queue being down must not undo the order's save
            logger.exception("Could not queue message %s; the periodic run will", message.pk)

    transaction.on_commit(enqueue)


def on_move(*, order, old_status, new_status, by) -> None:
    """orders' move hook: queue the message of the status the order moved into."""
    event = event_for_move(order.kind, new_status)
    if event is not None:
        event_queue(order=order, event=event, by=by)


# ---------------------------------------------------------------- sending


def _retry_delay(attempt: int) -> datetime.timedelta:
    base = int(getattr(django_settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    ceiling = int(getattr(django_settings, "NOTIFICATIONS_RETRY_MAX_SECONDS", 3600))
    seconds = min(base * 2 ** (attempt - 1), ceiling)
    return datetime.timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311


def max_attempts() -> int:
    return int(getattr(django_settings, "NOTIFICATIONS_MAX_ATTEMPTS", 5))


@dataclass
class Outcome:
    status: str
    reason: str = ""


def _claim(message_id: int, now) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .select_related("order", "order__workshop")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.status != MessageStatus.QUEUED:
            return None
        if message.send_after and message.send_after > now:
            return None
        message.attempts += 1
        message.send_after = now + LEASE
        message.save(update_fields=["attempts", "send_after"])
        return message


def _problem_words(problems: list[Problem]) -> str:
    words = "; ".join(str(problem_text.message(p)) for p in problems[:2])
    return (_("the template has a problem: %(words)s") % {"words": words})[:300]


def _render(message: Message, config: Settings) -> tuple[str, str] | str:
    """(subject, text), or the reason it could not be rendered."""
    rule = rule_for(message.order.workshop, message.event, message.channel)
    context = message_context(message.order, hours=config.hours)
    body, problems = rendering.render_text(rule.body, context)
    if body is None:
        return _problem_words(problems)
    subject = ""
    if message.channel == Channel.EMAIL:
        subject, problems = rendering.render_text(rule.subject or "", context)
        if subject is None:
            return _problem_words(problems)
        subject = " ".join(subject.split())[:200]
    body = body.strip()
    if not body:
        return _("the text came out empty")
    return subject, body


def message_send(message_id: int, *, now=None) -> str | None:
    """Send one queued message that is due; return its new status (None: not taken)."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None
    config = settings_for(message.order.workshop)
    if not message.body:
        rendered = _render(message, config)
        if isinstance(rendered, str):
            return _finish(message, MessageStatus.FAILED, rendered)
        message.subject, message.body = rendered
        message.save(update_fields=["subject", "body"])
    try:
        if message.channel == Channel.SMS:
            message.provider_id = sms.get_backend().send(message.recipient, message.body)[:100]
        else:
            _send_email(message)
    except sms.SmsError as exc:
        return _failed_attempt(message, exc.reason, retry=exc.retry, now=now, config=config)
    except smtplib.SMTPRecipientsRefused:
        return _finish(message, MessageStatus.FAILED, _("the mail server refused the address"))
    except smtplib.SMTPResponseException as exc:
        retry = exc.smtp_code < 500
        reason = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300]
        return _failed_attempt(message, reason, retry=retry, now=now, config=config)
    except OSError as exc:  # the mail server down, busy or timed out
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return _failed_attempt(message, reason, retry=True, now=now, config=config)
    except Exception as exc:  # a backend's own bug must not lose the message either
        logger.exception("Sending message %s failed unexpectedly", message.pk)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return _failed_attempt(message, reason, retry=True, now=now, config=config)
    message.sent_at = timezone.now()
    message.save(update_fields=["provider_id", "sent_at"])
    return _finish(message, MessageStatus.SENT, "")


def _send_email(message: Message) -> None:
    connection = get_connection(timeout=getattr(django_settings, "EMAIL_TIMEOUT", 15))
    EmailMessage(
        subject=message.subject or str(message.order),
        body=message.body,
        to=[message.recipient],
        connection=connection,
    ).send()


def _failed_attempt(message: Message, reason: str, *, retry: bool, now, config) -> str:
    if not retry or message.attempts >= max_attempts():
        return _finish(message, MessageStatus.FAILED, reason)
    when = now + _retry_delay(message.attempts)
    if message.channel == Channel.SMS:
        when = next_allowed(when, config)
    message.status, message.reason, message.send_after = MessageStatus.QUEUED, reason, when
    message.save(update_fields=["status", "reason", "send_after"])
    from notifications.tasks import send_message

    if send_message.get_backend().supports_defer:
        send_message.using(run_after=when).enqueue(message_id=message.pk)
    return MessageStatus.QUEUED


def _finish(message: Message, status: str, reason: str) -> str:
    message.status, message.reason = status, reason
    message.send_after = None
    message.save(update_fields=["status", "reason", "send_after"])
    return status


def messages_send_due(*, now=None, limit: int = 500) -> int:
    """Send every queued message whose time has come (after quiet hours, retries, or a
    queue that was down). The periodic run calls it; returns how many were tried."""
    now = now or timezone.now()
    due = list(
        Message.objects.filter(status=MessageStatus.QUEUED, send_after__lte=now)
        .order_by("send_after", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        message_send(pk, now=now)
    return len(due)


@transaction.atomic
def message_retry(*, message: Message, by) -> Message:
    """The front desk's "try again" on a failed message (after fixing a phone, say)."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status != MessageStatus.FAILED:
        raise NotificationError(_("Only a failed message can be sent again."))
    recipient, outcome, reason = _recipient(locked.order, locked.event, locked.channel)
    if outcome is not None:
        raise NotificationError(reason)
    locked.recipient, locked.status, locked.reason = recipient, MessageStatus.QUEUED, ""
    locked.attempts, locked.body, locked.subject = 0, "", ""
    locked.send_after = timezone.now()
    locked.save()
    _enqueue_on_commit(locked)
    return locked


# ---------------------------------------------------------------- the estimate


def waits_for_approval(link: StatusLink | None, order) -> bool:
    return bool(
        link is not None
        and link.approval_asked_at
        and not link.approved_at
        and order.status not in CLOSED
        and order.estimate is not None
    )


@transaction.atomic
def estimate_request(*, order, by) -> StatusLink:
    """Send the client the estimate with the link to approve it."""
    if order.estimate is None:
        raise NotificationError(_("Fill in the estimate first."))
    if order.status in CLOSED:
        raise NotificationError(_("The order is closed."))
    link = links.link_for(order)
    link = StatusLink.objects.select_for_update().get(pk=link.pk)
    link.approval_asked_at, link.approved_at, link.approved_ip = timezone.now(), None, None
    link.approved_estimate = ""
    link.save()
    event_queue(order=order, event=Event.ESTIMATE, by=by, key_suffix=f":{order.estimate}")
    journal_record(
        order=order, by=by, action="notifications.estimate_sent", new=str(order.estimate)
    )
    return link


@transaction.atomic
def estimate_approve(*, link: StatusLink, ip: str | None) -> StatusLink:
    """The client's approval from the public page, journaled with its time and IP."""
    locked = StatusLink.objects.select_for_update().select_related("order").get(pk=link.pk)
    order = locked.order
    if locked.revoked_at or not waits_for_approval(locked, order):
        raise NotificationError(_("There is nothing to approve."))
    locked.approved_at, locked.approved_ip = timezone.now(), ip or None
    locked.approved_estimate = str(order.estimate)
    locked.full_clean()
    locked.save()
    journal_record(
        order=order,
        by=None,
        action="notifications.estimate_approved",
        field="estimate",
        subject=ip or "",
        new=str(order.estimate),
    )
    return locked


# ---------------------------------------------------------------- reminders

# The statuses the workshop's own work is finished in: an order there is not "overdue".
DONE_WITH_WORK = frozenset(
    {Status.READY_NOTIFY, Status.READY_DELIVERY, Status.OUT_FOR_DELIVERY, Status.REFUSED}
)


def not_collected(workshop, *, now=None, days: int | None = None):
    """Orders ready for the client longer than the workshop's N days (or `days`, read
    from its settings by the caller), oldest first."""
    from orders.models import Order

    now = now or timezone.now()
    if days is None:
        days = settings_for(workshop).not_collected_days
    return (
        Order.objects.filter(
            workshop=workshop,
            is_deleted=False,
            status=Status.READY_NOTIFY,
            status_changed_at__lte=now - datetime.timedelta(days=days),
        )
        .select_related("client", "device", "branch")
        .order_by("status_changed_at", "id")
    )


def reminders_run(workshop, *, now=None) -> int:
    """Queue the reminders due now in one workshop; returns how many messages were made."""
    from orders.models import Order

    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + datetime.timedelta(days=1)
    made = 0
    for order in not_collected(workshop, now=now):
        since = timezone.localdate(order.status_changed_at).isoformat()
        made += len(event_queue(order=order, event=Event.NOT_COLLECTED, key_suffix=f":{since}"))
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    calls = Order.objects.filter(
        workshop=workshop,
        is_deleted=False,
        status=Status.CALL_OUT,
        visit_at__gte=start,
        visit_at__lt=start + datetime.timedelta(days=1),
    ).select_related("client", "branch", "device")
    for order in calls:
        suffix = f":{tomorrow.isoformat()}"
        made += len(event_queue(order=order, event=Event.CALL_OUT_TOMORROW, key_suffix=suffix))
    late = Order.objects.filter(
        workshop=workshop,
        is_deleted=False,
        status__in=OPEN - DONE_WITH_WORK,
        due_date__lt=today,
        assignee__isnull=False,
    ).select_related("assignee__user", "client", "device", "branch")
    for order in late:
        suffix = f":{order.due_date.isoformat()}"
        made += len(event_queue(order=order, event=Event.OVERDUE, key_suffix=suffix))
    return made


def tick(*, now=None) -> dict:
    """The periodic run (a cron line or the task): every workshop's reminders, then every
    message that is due. Outside any request, so across workshops on purpose."""
    from accounts.models import Workshop

    with scopes_disabled():
        made = sum(reminders_run(w, now=now) for w in Workshop.objects.all())
        tried = messages_send_due(now=now)
    return {"reminders": made, "tried": tried}


def validate_rule_text(body: str, channel: str) -> None:
    if channel == Channel.SMS and len(body) > 2000:
        raise ValidationError({"body": [_("An SMS text may be at most 2000 characters.")]})
