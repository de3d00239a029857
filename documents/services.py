"""Every write of the documents app: template versions, publishing, printed copies.

Keyword-only, atomic, validated; failures raise `DocumentError` (with the template's
problems for a refused save) and leave the previous version in place.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import role_can
from documents import rendering, variables
from documents.engine.problems import Problem
from documents.engine.sandbox import MAX_SOURCE
from documents.models import DocumentCopy, DocumentTemplate, PublishedTemplate, TemplateVersion
from documents.samples import sample_context
from documents.types import DocumentType, Paper
from orders.models import Order

JOURNAL_ACTION = "documents.printed"
MAX_POSTED = MAX_SOURCE  # characters of template text accepted from a form


class DocumentError(Exception):
    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass
class Saved:
    version: TemplateVersion
    warnings: list[Problem]
    html: str | None  # this order's rendering, when an order context was given


def template_check(
    *, doc: DocumentType, source: str, workshop, order_context: dict | None = None
) -> rendering.Result:
    """The save-time check: this order's data first (its rendering is the preview), then
    a sample order with every field filled, so a branch not taken here is tried too."""
    contexts = [variables.pick(sample_context(workshop, doc), doc.uses)]
    if order_context is not None:
        contexts.insert(0, variables.pick(order_context, doc.uses))
    return rendering.check_source(source, variables.schema_for(doc.uses), contexts)


def _template_for_update(by: Membership, doc: DocumentType) -> DocumentTemplate:
    template, _created = DocumentTemplate.objects.select_for_update().get_or_create(
        workshop=by.workshop, owner=by, doc_type=doc.key
    )
    return template


def _add_version(template: DocumentTemplate, **values) -> TemplateVersion:
    last = TemplateVersion.objects.filter(
        workshop_id=template.workshop_id, template=template
    ).aggregate(n=Max("number"))["n"]
    version = TemplateVersion(
        workshop_id=template.workshop_id, template=template, number=(last or 0) + 1, **values
    )
    version.full_clean(exclude=["workshop", "template"], validate_unique=False)
    version.save()
    template.current = version
    template.updated_at = timezone.now()
    template.save(update_fields=["current", "updated_at"])
    return version


def _require(by: Membership, permission: str) -> None:
    if not role_can(by.role, permission):
        raise DocumentError(_("Your role does not allow this."))


@transaction.atomic
def template_save(
    *,
    by: Membership,
    doc: DocumentType,
    source: str,
    paper: str,
    order_context: dict | None = None,
) -> Saved:
    """Save `source` as the next version of the member's own template, once it passes
    the check; DocumentError with the problems otherwise (nothing is written)."""
    _require(by, "documents.edit_own")
    if paper not in Paper.values:
        raise DocumentError(_("Choose a paper size."))
    source = source.replace("\r\n", "\n")
    result = template_check(
        doc=doc, source=source, workshop=by.workshop, order_context=order_context
    )
    if result.errors:
        raise DocumentError(_("The template was not saved."), result.problems)
    template = _template_for_update(by, doc)
    version = _add_version(template, source=source, paper=paper, note="saved")
    return Saved(version, result.problems, result.html)


@transaction.atomic
def template_revert(*, by: Membership, doc: DocumentType, number: int | None) -> TemplateVersion:
    """Go back to version `number` (a new version with its text), or with None to the
    workshop default (a version that says so); the history keeps everything."""
    _require(by, "documents.edit_own")
    template = _template_for_update(by, doc)
    if number is None:
        return _add_version(
            template, source="", paper=doc.paper, follows_default=True, note="default"
        )
    old = TemplateVersion.objects.filter(
        workshop_id=template.workshop_id, template=template, number=number
    ).first()
    if old is None:
        raise DocumentError(_("There is no such version."))
    return _add_version(
        template,
        source=old.source,
        paper=old.paper,
        follows_default=old.follows_default,
        note=f"v{old.number}",
    )


@transaction.atomic
def template_publish(*, by: Membership, doc: DocumentType) -> PublishedTemplate:
    """Make the director's own template (its current version) the workshop default."""
    _require(by, "documents.publish")
    template = (
        DocumentTemplate.objects.filter(workshop=by.workshop, owner=by, doc_type=doc.key)
        .select_related("current")
        .first()
    )
    version = template.own_version if template else None
    if version is None:
        raise DocumentError(_("Save your own template first; then publish it."))
    published, _created = PublishedTemplate.objects.select_for_update().update_or_create(
        workshop=by.workshop,
        doc_type=doc.key,
        defaults={
            "source": version.source,
            "paper": version.paper,
            "from_version": version,
            "published_by": by,
            "published_at": timezone.now(),
        },
    )
    return published


@transaction.atomic
def template_unpublish(*, by: Membership, doc: DocumentType) -> None:
    """Back to the built-in default for everybody without their own template."""
    _require(by, "documents.publish")
    PublishedTemplate.objects.filter(workshop=by.workshop, doc_type=doc.key).delete()


def data_hash(context: dict) -> str:
    """The fingerprint of an order's data as a document sees it (without the document's
    own number and date): equal for a reprint, different once the order changed."""
    data = {key: value for key, value in context.items() if key not in ("document", "today")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def latest_copy(order: Order, doc: DocumentType) -> DocumentCopy | None:
    return (
        DocumentCopy.objects.filter(workshop_id=order.workshop_id, order=order, doc_type=doc.key)
        .order_by("-version")
        .first()
    )


def copy_number(order: Order, version: int) -> str:
    return str(order.number) if version == 1 else f"{order.number}-{version}"


def _journal(order: Order, by: Membership, copy: DocumentCopy) -> None:
    """One line in the order's journal, once orders offers journal_record()."""
    from orders import services as order_services

    record = getattr(order_services, "journal_record", None)
    if record is None:
        return
    record(
        order=order,
        by=by,
        action=JOURNAL_ACTION,
        subject=f"{copy.get_doc_type_display()} № {copy.number}",
    )


@transaction.atomic
def copy_keep(
    *,
    order: Order,
    doc: DocumentType,
    by: Membership,
    fingerprint: str,
    render,
) -> tuple[DocumentCopy, bool]:
    """The printed copy for this data: the latest one if the data is unchanged, else a
    new version made by `render(number) -> (html, source, paper, lang)`. Returns the
    copy and whether it is new. Copies are kept for issued orders only."""
    Order.objects.select_for_update().filter(workshop_id=order.workshop_id, pk=order.pk).first()
    latest = latest_copy(order, doc)
    if latest is not None and latest.data_hash == fingerprint:
        return latest, False
    version = (latest.version + 1) if latest else 1
    number = copy_number(order, version)
    html, source, paper, lang = render(number)
    copy = DocumentCopy(
        workshop_id=order.workshop_id,
        order=order,
        doc_type=doc.key,
        version=version,
        number=number,
        printed_by=by,
        html=html,
        paper=paper,
        data_hash=fingerprint,
        source=source,
        language=lang,
    )
    copy.full_clean(exclude=["workshop", "order", "printed_by"], validate_unique=False)
    copy.save()
    _journal(order, by, copy)
    return copy, True
