"""People and tenants: the workshop, its branches, users and their memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from workshop.lib.text import normalize_email


class Role(models.TextChoices):
    DIRECTOR = "director", _("Director")
    MANAGER = "manager", _("Manager")
    TECHNICIAN = "technician", _("Technician")


class TenantQuerySet(models.QuerySet):
    def for_workshop(self, workshop: Workshop) -> TenantQuerySet:
        return self.filter(workshop=workshop)


def tenant_manager(queryset_class: type[models.QuerySet] = TenantQuerySet):
    """A django-scopes manager: a query outside `scope(workshop=...)` raises ScopeError."""
    return ScopedManager(workshop="workshop", _manager_class=queryset_class.as_manager().__class__)


class TenantModel(models.Model):
    """Base of every tenant-owned row: a non-null workshop and a scoped manager."""

    workshop = models.ForeignKey(
        "accounts.Workshop", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = tenant_manager()

    class Meta:
        abstract = True


class Workshop(models.Model):
    """The tenant."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"),
        max_length=2,
        default="RU",
        help_text=_("Two-letter code; phone numbers without a country code are read as local."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    lock_after_minutes = models.PositiveSmallIntegerField(
        _("lock the screen after (minutes idle)"), default=15
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.name


def branch_name_key(name: str) -> str:
    """What makes two branch names the same: case and surrounding spaces do not count."""
    return name.strip().casefold()


class Branch(TenantModel):
    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="branches", editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # branch_name_key(name), kept by save(): Python's casefold, since SQLite's lower()
    # folds ASCII letters only.
    name_key = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name"], name="branch_name_unique"),
            # The form compares names without case; this keeps two requests at the same
            # moment ("Main" and "main") to the same rule, on SQLite as on PostgreSQL.
            models.UniqueConstraint(fields=["workshop", "name_key"], name="branch_name_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = branch_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


def short_name(full_name: str, email: str) -> str:
    """How lists name a person: the first word of their name, else their e-mail."""
    return full_name.split(" ")[0] if full_name else email


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address, as everywhere else (Django's own lower-cases the domain only).
        return normalize_email(email)

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("E-mail is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; e-mail is the login. What they may do depends on their membership."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now, editable=False)
    # Registered but the e-mail is not confirmed yet: inactive until the link is followed.
    is_pending = models.BooleanField(default=False, editable=False)
    # A pending address's registrations, each with its own name, workshop and password
    # hash, so a second registration never changes what the first one's link confirms
    # (accounts.services.registration_start). Emptied when the address is confirmed.
    signups = models.JSONField(default=list, blank=True, editable=False)
    # The hashed PIN that unlocks a locked screen; empty until the user sets one.
    pin_hash = models.CharField(max_length=128, blank=True, editable=False)
    # Wrong PINs since the screen was last unlocked. Kept on the row, not in the session,
    # so parallel unlock requests are counted one by one (an UPDATE ... + 1 each).
    pin_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    # Password checks of a signed-in user (changing the PIN or the password) since
    # `password_checks_since`; too many wrong ones pause the checks (services.password_check).
    password_checks = models.PositiveSmallIntegerField(default=0, editable=False)
    password_checks_since = models.DateTimeField(null=True, blank=True, editable=False)
    # The one live session (one session per user); signing in elsewhere ends it.
    session_key = models.CharField(max_length=40, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return short_name(self.full_name, self.email)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)


class MembershipQuerySet(TenantQuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def working_in(self, branches) -> MembershipQuerySet:
        """Who works in one of these branches: the people given one of them, and those
        whose role works in every branch of its workshop (accounts.all_branches)."""
        from accounts.permissions import PERMISSIONS  # the table imports this module

        branches = list(branches)
        everywhere = models.Q(
            role__in=PERMISSIONS["accounts.all_branches"],
            workshop_id__in={b.workshop_id for b in branches},
        )
        return self.filter(everywhere | models.Q(branches__in=branches)).distinct()


class Membership(TenantModel):
    """A user's place in one workshop: role and the branches they work in.

    Looked up by user before the workshop is known, so its manager is not scoped.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="memberships", editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branches = models.ManyToManyField(
        Branch, through="MembershipBranch", related_name="memberships", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The branch they last chose (saved an order in, picked in the stock page): where they
    # work now, kept across sign-ins. Always a branch of this workshop; see remember_branch.
    last_branch = models.ForeignKey(
        Branch,
        verbose_name=_("last branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workshop} ({self.get_role_display()})"

    @property
    def sees_all_branches(self) -> bool:
        """Works in every branch of the workshop (the table's "accounts.all_branches")."""
        # Imported here: the permission table imports Role from this module.
        from accounts.permissions import role_can

        return role_can(self.role, "accounts.all_branches")

    def visible_branches(self) -> models.QuerySet[Branch]:
        """Every branch for those who see them all; the others see the branches they were given."""
        branches = Branch.objects.for_workshop(self.workshop).filter(is_active=True)
        if self.sees_all_branches:
            return branches
        return branches.filter(memberships=self)

    def working_branch(self, branches) -> Branch | None:
        """The branch of these (the ones offered to them) the person works in now: the one
        they last chose, else the first of those they were given, else the first offered."""
        branches = list(branches)
        for b in branches:
            if b.pk == self.last_branch_id:
                return b
        own = set(self.branches.values_list("pk", flat=True))
        return next((b for b in branches if b.pk in own), branches[0] if branches else None)

    def remember_branch(self, branch: Branch) -> None:
        """Keep the branch they just chose as where they work now (one UPDATE, when it moved)."""
        if branch.workshop_id != self.workshop_id:
            raise ValueError("a branch of another workshop")
        if branch.pk != self.last_branch_id:
            self.last_branch = branch
            self.save(update_fields=["last_branch"])


class MembershipBranch(TenantModel):
    """Through table carrying the workshop too, so every table is keyed by tenant."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "membership", "branch"], name="membership_branch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.branch_id}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class Invitation(TenantModel):
    """The director's invitation of a person to join the workshop with a role and branches.

    Opened by link before the workshop is known, so, like Membership, its manager is not
    scoped; the link carries the workshop id and views filter by it.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="invitations", editable=False
    )
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branches = models.ManyToManyField(
        Branch, through="InvitationBranch", related_name="invitations", blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
        editable=False,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workshop", "email"], name="invitation_ws_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.workshop} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()


class InvitationBranch(TenantModel):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "invitation", "branch"], name="invitation_branch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} → {self.branch_id}"


class SignInOutcome(models.TextChoices):
    SUCCESS = "success", _("Signed in")
    FAILURE = "failure", _("Wrong password")
    LOCKED = "locked", _("Throttled")


class SignInEvent(TenantModel):
    """One sign-in attempt on a member's e-mail, kept per workshop for its director.

    Attempts on unknown e-mails belong to no workshop; django-axes logs those
    (AccessAttempt, AccessFailureLog).
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="signin_events", editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    email = models.CharField(_("e-mail"), max_length=254)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=SignInOutcome.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workshop", "-created_at"], name="signin_ws_time")]

    def __str__(self) -> str:
        return f"{self.email} {self.outcome} {self.created_at:%Y-%m-%d %H:%M}"
