"""Writes that touch several rows: registration, invitations, staff changes, sessions."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_scopes import scope

from accounts.models import (
    Branch,
    Invitation,
    InvitationBranch,
    InvitationStatus,
    Membership,
    MembershipBranch,
    Role,
    SignInEvent,
    User,
    Workshop,
    branch_name_key,
)
from workshop.lib.text import normalize_email

SIGNUP_SALT = "accounts.signup"
INVITATION_SALT = "accounts.invitation"
SIGNUP_MAX_AGE = timedelta(days=3)
INVITATION_LIFETIME = timedelta(days=14)
# Written into a session that was ended by a sign-in elsewhere, so that browser can be told why.
SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"


class AccountError(Exception):
    """A domain refusal the view shows as a message."""


# Registration
#
# A registration of a new or still pending address is kept on the pending user row as one
# entry of `User.signups` (its own name, workshop name and password hash), and its link
# names that entry. Registering the address again adds an entry and sends another link;
# it never changes an earlier entry, so every link sent stays good until it expires or
# one of them is confirmed (confirming empties the list).

# A backstop below the mail limits: an address with this many live registrations takes no
# more until some expire (an earlier link must never be dropped to make room).
MAX_PENDING_SIGNUPS = 20


class TooManySignups(AccountError):
    """The address already has MAX_PENDING_SIGNUPS registrations waiting."""


@dataclass(frozen=True)
class Signup:
    """One registration waiting for its link: what that link, and only it, confirms."""

    user: User
    id: str
    full_name: str
    workshop_name: str
    password: str  # the hash
    created: datetime

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)


def _signup_entries(user: User, *, now: datetime) -> list[dict]:
    """The user's registrations that have not expired."""
    oldest = now - SIGNUP_MAX_AGE
    return [e for e in user.signups if datetime.fromisoformat(e["created"]) > oldest]


def signup_token(signup: Signup) -> str:
    return signing.dumps({"u": signup.user.pk, "s": signup.id}, salt=SIGNUP_SALT)


def _legacy_fingerprint(user: User) -> str:
    return salted_hmac(SIGNUP_SALT, user.password).hexdigest()[:16]


def open_invitations_for(email: str) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            email__iexact=email, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
        ).select_related("workshop")
    )


@transaction.atomic
def registration_start(
    *, email: str, full_name: str, workshop_name: str, password: str
) -> tuple[str, dict]:
    """Return which e-mail to send and its context; the page answers the same every time.

    TooManySignups when the address already has MAX_PENDING_SIGNUPS registrations waiting.
    """
    email = normalize_email(email)
    invitations = open_invitations_for(email)
    user = User.objects.filter(email=email).first()
    if user is not None and not user.is_pending:
        # Hash anyway so a known address takes as long as a new one.
        make_password(password)
        return "registration-known", {"user": user, "invitations": invitations}
    if user is None:
        user = User(email=email, full_name=full_name, is_active=False, is_pending=True)
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False)
        # get_or_create: two registrations of a new address at the same moment share a row.
        user, _created = User.objects.get_or_create(
            email=email,
            defaults={f: getattr(user, f) for f in ("full_name", "is_active", "is_pending")}
            | {"password": user.password},
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_pending:
        # Confirmed (or joined by invitation) a moment ago.
        make_password(password)
        return "registration-known", {"user": user, "invitations": invitations}
    now = timezone.now()
    entries = _signup_entries(user, now=now)
    if len(entries) >= MAX_PENDING_SIGNUPS:
        make_password(password)
        raise TooManySignups(email)
    entry = {
        "id": secrets.token_urlsafe(12),
        "full_name": full_name,
        "workshop_name": workshop_name,
        "password": make_password(password),
        "created": now.isoformat(),
    }
    user.signups = [*entries, entry]
    user.save(update_fields=["signups"])
    signup = _signup_from_entry(user, entry)
    return "registration-confirm", {
        "user": user,
        "full_name": full_name,
        "token": signup_token(signup),
        "workshop_name": workshop_name,
        "invitations": invitations,
    }


def _signup_from_entry(user: User, entry: dict) -> Signup:
    return Signup(
        user=user,
        id=entry["id"],
        full_name=entry["full_name"],
        workshop_name=entry["workshop_name"],
        password=entry["password"],
        created=datetime.fromisoformat(entry["created"]),
    )


def signup_from_token(token: str) -> Signup:
    """The registration a confirmation link stands for, or AccountError."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_MAX_AGE)
    except signing.BadSignature as exc:
        raise AccountError("invalid") from exc
    user = User.objects.filter(pk=data.get("u"), is_pending=True).first()
    if user is None:
        raise AccountError("invalid")
    if "s" not in data:
        # A link sent before registrations had entries: it named the row's own password.
        if data.get("p") != _legacy_fingerprint(user):
            raise AccountError("invalid")
        return Signup(
            user=user,
            id="",
            full_name=user.full_name,
            workshop_name=data["w"],
            password=user.password,
            created=user.date_joined,
        )
    for entry in _signup_entries(user, now=timezone.now()):
        if entry["id"] == data["s"]:
            return _signup_from_entry(user, entry)
    raise AccountError("invalid")


@transaction.atomic
def registration_confirm(*, signup: Signup) -> Membership:
    """Create the workshop, its first branch, and make the person its director."""
    user = User.objects.select_for_update().get(pk=signup.user.pk)
    if not user.is_pending:
        raise AccountError("already confirmed")
    if signup.id and signup.id not in {e["id"] for e in user.signups}:
        raise AccountError("unknown registration")
    user.password = signup.password
    user.full_name = signup.full_name
    user.is_pending = False
    user.is_active = True
    # Every other link of the address ends here: the address is taken now.
    user.signups = []
    user.save(update_fields=["password", "full_name", "is_pending", "is_active", "signups"])
    workshop = Workshop(name=signup.workshop_name)
    workshop.full_clean()
    workshop.save()
    with scope(workshop=workshop):
        branch = Branch(workshop=workshop, name=signup.workshop_name)
        branch.full_clean(exclude=["workshop"])
        branch.save()
    return Membership.objects.create(workshop=workshop, user=user, role=Role.DIRECTOR)


# Invitations


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"w": invitation.workshop_id, "i": invitation.pk}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.filter(workshop_id=data["w"], pk=data["i"])
        .select_related("workshop")
        .first()
    )


@transaction.atomic
def invitation_create(
    *,
    workshop: Workshop,
    email: str,
    full_name: str,
    role: str,
    branches: list[Branch],
    by: User,
) -> Invitation:
    invitation = Invitation(
        workshop=workshop,
        email=normalize_email(email),
        full_name=full_name,
        role=role,
        invited_by=by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean(exclude=["workshop"])
    invitation.save()
    for branch in branches:
        if branch.workshop_id != workshop.pk:
            raise AccountError("branch of another workshop")
        InvitationBranch.objects.create(workshop=workshop, invitation=invitation, branch=branch)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status != InvitationStatus.PENDING:
        raise AccountError("not pending")
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None, full_name: str = "", password: str = ""
) -> Membership:
    """Join the workshop; `user` is None for a person new to the app (they chose a password)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise AccountError("closed")
    if user is None:
        user = User.objects.filter(email=invitation.email).first()
        if user is not None and not user.is_pending:
            raise AccountError("account exists")
        if user is None:
            user = User(email=invitation.email)
        user.full_name = full_name or invitation.full_name
        user.is_pending = False
        user.is_active = True
        # Joining takes the address: links of its pending registrations end here.
        user.signups = []
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
    workshop = invitation.workshop
    with scope(workshop=workshop):
        membership = Membership.objects.filter(workshop=workshop, user=user).first()
        if membership is None:
            membership = Membership.objects.create(
                workshop=workshop, user=user, role=invitation.role
            )
        else:
            membership.role = invitation.role
            membership.is_active = True
            membership.save(update_fields=["role", "is_active"])
            MembershipBranch.objects.filter(workshop=workshop, membership=membership).delete()
        for branch in invitation.branches.filter(is_active=True):
            MembershipBranch.objects.create(workshop=workshop, membership=membership, branch=branch)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["status", "accepted_at"])
    return membership


# Branches


class BranchNameTaken(AccountError):
    """Another branch of the workshop has this name (perhaps saved a moment ago)."""


def branch_save(*, branch: Branch) -> Branch:
    """Create or rename a branch; a name already taken in the workshop is BranchNameTaken.

    The form checks the name first, but two requests can pass that check at the same
    moment; the unique constraints decide, and the savepoint keeps any surrounding
    transaction usable after the refused INSERT/UPDATE.
    """
    branch.full_clean(exclude=["workshop"])
    try:
        with transaction.atomic():
            branch.save()
    except IntegrityError:
        others = Branch.objects.for_workshop(branch.workshop).exclude(pk=branch.pk)
        key = branch_name_key(branch.name)
        if not any(branch_name_key(n) == key for n in others.values_list("name", flat=True)):
            raise
        raise BranchNameTaken(branch.name) from None
    return branch


# Staff


@transaction.atomic
def membership_update(*, membership: Membership, role: str, branches: list[Branch]) -> None:
    membership.role = role
    membership.full_clean(exclude=["workshop", "user"])
    membership.save(update_fields=["role"])
    MembershipBranch.objects.filter(workshop=membership.workshop, membership=membership).delete()
    for branch in branches:
        MembershipBranch.objects.create(
            workshop=membership.workshop, membership=membership, branch=branch
        )


@transaction.atomic
def membership_set_active(*, membership: Membership, active: bool) -> None:
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    if not active:
        user_end_sessions(user=membership.user)


# Sessions


def user_end_sessions(*, user: User) -> None:
    """End the user's session (the one-session rule means there is at most one)."""
    if user.session_key:
        Session.objects.filter(session_key=user.session_key).delete()
        User.objects.filter(pk=user.pk).update(session_key="")
        user.session_key = ""


def session_take_over(*, user: User, session_key: str) -> None:
    """Make `session_key` the user's only session; the earlier one learns why it ended.

    A new session starts with a clean wrong-PIN count (see accounts.lock).
    """
    old_key = user.session_key
    if old_key and old_key != session_key:
        old = SessionStore(session_key=old_key)
        if old.exists(old_key):
            # Keep the row but not the login, so that browser's next request is told why.
            old.clear()
            old[SIGNED_OUT_ELSEWHERE] = True
            old.save()
    user.session_key = session_key
    user.pin_failures = 0
    User.objects.filter(pk=user.pk).update(session_key=session_key, pin_failures=0)


# Password checks while signed in


PASSWORD_CHECK_LIMIT = 5
PASSWORD_CHECK_PAUSE = timedelta(minutes=30)


class PasswordChecksPaused(AccountError):
    """Too many wrong passwords: checks are refused for `minutes` more."""

    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def password_check(*, user: User, password: str) -> bool:
    """Check a signed-in user's password (to change the PIN or the password), throttled.

    A held session must not become a way to guess the password: after
    PASSWORD_CHECK_LIMIT wrong passwords within PASSWORD_CHECK_PAUSE, checks are refused
    (PasswordChecksPaused) until PASSWORD_CHECK_PAUSE after the last wrong one. As with
    wrong PINs, the attempt is counted on the row before the password is checked, so
    parallel requests cannot check more than the limit between them.
    """
    now = timezone.now()
    mine = User.objects.filter(pk=user.pk)
    with transaction.atomic():
        # A count older than the pause is forgotten: this attempt starts a new one.
        mine.filter(
            Q(password_checks_since__isnull=True)
            | Q(password_checks_since__lte=now - PASSWORD_CHECK_PAUSE)
        ).update(password_checks=0, password_checks_since=now)
        mine.update(password_checks=F("password_checks") + 1)
        number, since = mine.values_list("password_checks", "password_checks_since").get()
    if number > PASSWORD_CHECK_LIMIT:
        left = since + PASSWORD_CHECK_PAUSE - now
        raise PasswordChecksPaused(minutes=max(1, math.ceil(left.total_seconds() / 60)))
    if user.check_password(password):
        mine.update(password_checks=0, password_checks_since=None)
        return True
    if number == PASSWORD_CHECK_LIMIT:
        # The last allowed guess was wrong: the pause runs from now.
        mine.update(password_checks_since=now)
    return False


# Sign-in log


def signin_record(*, email: str, ip: str | None, user_agent: str, outcome: str) -> None:
    """Log an attempt in every workshop where the e-mail's owner is a member now.

    Only active memberships: a former employer must not follow where and when an
    ex-employee signs in. Unknown e-mails belong to no workshop; axes logs those.
    """
    user = User.objects.filter(email=email).first()
    if user is None:
        return
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("workshop")
    for membership in memberships:
        with scope(workshop=membership.workshop):
            SignInEvent.objects.create(
                workshop=membership.workshop,
                user=user,
                email=email,
                ip_address=ip,
                user_agent=user_agent[:255],
                outcome=outcome,
            )
