"""Templates people keep, the defaults the director publishes, and printed copies.

- `DocumentTemplate`: one person's own template of one document type; its text lives
  in `TemplateVersion` rows, one per save (append-only), and `current` points at the
  one in use. A version that `follows_default` means "back to the workshop default".
- `PublishedTemplate`: the workshop's default of a document type, published by the
  director from one of their versions (a copy of its text, so later edits of their own
  template do not change what everybody prints).
- `DocumentCopy`: a document printed for an issued order, kept exactly as printed:
  numbered, dated, the sanitised HTML. A reprint of unchanged data shows it again; a
  print after the order changed is the next version.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantModel
from documents.types import DocType, Paper


class DocumentTemplate(TenantModel):
    owner = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+", editable=False
    )
    doc_type = models.CharField(_("document"), max_length=30, choices=DocType.choices)
    current = models.ForeignKey(
        "TemplateVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "owner", "doc_type"], name="doctemplate_owner_type_unique"
            )
        ]
        indexes = [models.Index(fields=["workshop", "owner"], name="doctemplate_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} ({self.owner_id})"

    @property
    def own_version(self) -> TemplateVersion | None:
        """The version in use, unless it says "use the default"."""
        if self.current is None or self.current.follows_default:
            return None
        return self.current


class TemplateVersion(TenantModel):
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("template"), blank=True)
    paper = models.CharField(_("paper"), max_length=20, choices=Paper.choices, default=Paper.A4)
    follows_default = models.BooleanField(default=False)
    # What made this version: "saved", or which version it went back to.
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "template", "number"], name="templateversion_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["workshop", "template", "-number"], name="templateversion_idx")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class PublishedTemplate(TenantModel):
    doc_type = models.CharField(_("document"), max_length=30, choices=DocType.choices)
    source = models.TextField(_("template"))
    paper = models.CharField(_("paper"), max_length=20, choices=Paper.choices, default=Paper.A4)
    from_version = models.ForeignKey(
        TemplateVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("published template")
        verbose_name_plural = _("published templates")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "doc_type"], name="publishedtemplate_type_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_doc_type_display()


class DocumentCopy(TenantModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(_("document"), max_length=30, choices=DocType.choices)
    version = models.PositiveIntegerField(_("version"))
    number = models.CharField(_("number"), max_length=30)
    printed_at = models.DateTimeField(_("printed"), default=timezone.now)
    printed_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    html = models.TextField()
    paper = models.CharField(max_length=20, choices=Paper.choices, default=Paper.A4)
    # sha256 of the order's data as the document saw it: a reprint of the same data
    # shows this copy again, different data makes the next version.
    data_hash = models.CharField(max_length=64)
    source = models.TextField(blank=True)  # the template it was printed from
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("printed copy")
        verbose_name_plural = _("printed copies")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "order", "doc_type", "version"], name="documentcopy_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["workshop", "order", "doc_type", "-version"], name="documentcopy_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} № {self.number}"
