"""Self-filling pick lists: every value a workshop types is remembered and offered again."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import connections, models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import TenantModel, TenantQuerySet, tenant_manager
from workshop.lib.money import MoneyField
from workshop.lib.text import KEY_MAX_LENGTH, drop_unsafe, fold
from workshop.lib.text import LAST_CHAR as _LAST_CHAR

VALUE_MAX_LENGTH = 200


class Kind(models.TextChoices):
    DEVICE_TYPE = "device_type", _("Device types")
    BRAND = "brand", _("Brands")
    MODEL = "model", _("Models")
    SERVICE = "service", _("Services")
    GOODS = "goods", _("Goods and parts")
    CONDITION = "condition", _("Condition phrases")
    ACCESSORY = "accessory", _("Accessories")
    PROBLEM = "problem", _("Typical problems")
    PARTNER = "partner", _("Partners")


# Kinds whose entries carry the last price they were sold or done for.
PRICED_KINDS = frozenset({Kind.SERVICE, Kind.GOODS})


def clean_value(text: str | None) -> str:
    """The value as it will be stored: trimmed, inner spaces collapsed, capped in length."""
    if not text:
        return ""
    text = " ".join(drop_unsafe(str(text)).split())
    if len(text) > VALUE_MAX_LENGTH:
        # Cut on a word boundary when one is near, so a long paste keeps whole words.
        cut = text[:VALUE_MAX_LENGTH]
        space = cut.rfind(" ")
        text = cut[:space] if space > VALUE_MAX_LENGTH - 30 else cut
        # Never leave a joiner or a combining mark dangling at the end.
        while text and unicodedata.category(text[-1]) in {"Mn", "Me", "Cf"}:
            text = text[:-1]
        text = text.rstrip()
    return text


class EntryQuerySet(TenantQuerySet):
    def of_kind(self, kind: str) -> EntryQuerySet:
        return self.filter(kind=kind)

    def suggestible(self) -> EntryQuerySet:
        """Entries offered while typing: neither hidden nor merged into another."""
        return self.filter(is_hidden=False, merged_into__isnull=True)

    def live(self) -> EntryQuerySet:
        """Entries shown on the management page: everything but merged-away spellings."""
        return self.filter(merged_into__isnull=True)

    def with_prefix(self, term: str) -> EntryQuerySet:
        """Entries whose folded key starts with the folded `term`, matched literally.

        `startswith` escapes %, _ and \\. PostgreSQL serves it from the
        `varchar_pattern_ops` index whatever the database collation. SQLite's LIKE folds
        ASCII case, so it cannot use a BINARY index; the equivalent range on the
        already-folded key can, and LIKE stays as the exact check.
        """
        key = fold(term)
        if not key:
            return self
        qs = self.filter(key__startswith=key)
        if connections[self.db].vendor == "sqlite":
            qs = qs.filter(key__gte=key, key__lt=key + _LAST_CHAR)
        return qs

    def most_used_first(self) -> EntryQuerySet:
        return self.order_by("-use_count", "-last_used_at", "key", "id")

    def suggestions(self, term: str, *, parent: str = "", limit: int = 10) -> EntryQuerySet:
        """What to offer for `term` typed so far: most used, then most recent, first."""
        qs = self.suggestible()
        if parent:
            qs = qs.filter(parent_key=fold(parent))
        if not fold(term):
            # The most-used index hands these out in order without sorting the directory.
            return qs.most_used_first()[:limit]
        # Rank by an expression that index cannot serve, so the planner always narrows by
        # the prefix index (reading only the matches) rather than walking the whole
        # directory in use order hoping to meet ten matches soon.
        return qs.with_prefix(term).order_by(
            (F("use_count") + 0).desc(), F("last_used_at").desc(nulls_last=True), "key", "id"
        )[:limit]


class Entry(TenantModel):
    """One remembered value of one directory of one workshop."""

    kind = models.CharField(_("directory"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=VALUE_MAX_LENGTH)
    key = models.CharField(max_length=KEY_MAX_LENGTH, editable=False)
    # Models are remembered under their brand: choosing a brand narrows the models.
    parent = models.CharField(_("brand"), max_length=VALUE_MAX_LENGTH, blank=True)
    parent_key = models.CharField(max_length=KEY_MAX_LENGTH, blank=True, editable=False)
    last_price = MoneyField(_("last price"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = tenant_manager(EntryQuerySet)
    history = HistoricalRecords(user_model=settings.AUTH_USER_MODEL)

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "kind", "parent_key", "key"], name="entry_unique_key"
            )
        ]
        indexes = [
            # Prefix search. The opclass makes PostgreSQL use it for LIKE 'abc%' under any
            # collation; other databases ignore opclasses and build a plain index.
            models.Index(
                fields=["workshop", "kind", "key"],
                opclasses=["", "", "varchar_pattern_ops"],
                name="entry_prefix_idx",
            ),
            # Empty search term: the most used entries of a directory.
            models.Index(
                fields=["workshop", "kind", "-use_count", "-last_used_at"],
                name="entry_most_used_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.value

    def save(self, *args, **kwargs) -> None:
        # The key is derived data; keeping it in step here means no caller can forget it.
        self.key = fold(self.value)
        self.parent_key = fold(self.parent)
        super().save(*args, **kwargs)
