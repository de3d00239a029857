"""Which template prints, and the rows the print screen and the card list.

Resolution: the member's own template, else the default the director published for
the workshop, else the built-in one (in the reader's language).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import translation

from accounts.models import Membership, Workshop
from documents.models import DocumentCopy, DocumentTemplate, PublishedTemplate, TemplateVersion
from documents.types import TYPES, DocumentType
from orders.models import Order

BUILTIN = Path(__file__).resolve().parent / "builtin"
BUILTIN_LANGUAGES = ("ru", "en")

OWN, PUBLISHED, BUILTIN_ORIGIN = "own", "published", "builtin"


def document_language() -> str:
    lang = (translation.get_language() or "ru").split("-")[0]
    return lang if lang in BUILTIN_LANGUAGES else "en"


@cache
def builtin_source(doc_type: str, lang: str) -> str:
    return (BUILTIN / lang / f"{doc_type}.html").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Resolved:
    source: str
    paper: str
    origin: str  # OWN, PUBLISHED or BUILTIN_ORIGIN
    version: TemplateVersion | None = None
    published: PublishedTemplate | None = None


def builtin_template(doc: DocumentType, lang: str | None = None) -> Resolved:
    return Resolved(builtin_source(doc.key, lang or document_language()), doc.paper, BUILTIN_ORIGIN)


def published_template(workshop: Workshop, doc: DocumentType) -> PublishedTemplate | None:
    return (
        PublishedTemplate.objects.filter(workshop=workshop, doc_type=doc.key)
        .select_related("published_by__user")
        .first()
    )


def default_template(workshop: Workshop, doc: DocumentType) -> Resolved:
    """What prints for someone without their own template: published, else built-in."""
    published = published_template(workshop, doc)
    if published is not None:
        return Resolved(published.source, published.paper, PUBLISHED, published=published)
    return builtin_template(doc)


def own_template(member: Membership, doc: DocumentType) -> DocumentTemplate | None:
    return (
        DocumentTemplate.objects.filter(
            workshop_id=member.workshop_id, owner=member, doc_type=doc.key
        )
        .select_related("current")
        .first()
    )


def resolve(member: Membership, doc: DocumentType) -> Resolved:
    template = own_template(member, doc)
    if template is not None and template.own_version is not None:
        version = template.own_version
        return Resolved(version.source, version.paper, OWN, version=version)
    return default_template(member.workshop, doc)


def versions(template: DocumentTemplate | None, limit: int = 30) -> list[TemplateVersion]:
    if template is None:
        return []
    return list(
        TemplateVersion.objects.filter(
            workshop_id=template.workshop_id, template=template
        ).order_by("-number")[:limit]
    )


def copies_for(order: Order, doc_type: str | None = None) -> list[DocumentCopy]:
    """The printed copies of an order, newest first (one query)."""
    qs = DocumentCopy.objects.filter(workshop_id=order.workshop_id, order=order)
    if doc_type is not None:
        qs = qs.filter(doc_type=doc_type)
    return list(
        qs.select_related("printed_by__user")
        .defer("html", "source")
        .order_by("doc_type", "-version")
    )


def get_type_or_none(key: str) -> DocumentType | None:
    return TYPES.get(key)
