"""The print screen (the seed's four rectangles), full-screen printing, PDF, copies.

- `print_screen`: top left the default template (published or built-in, read-only),
  top right the member's own in an editor; below, both rendered with this order's
  data, the own side re-rendered as they type (htmx, debounced) in a sandboxed
  ``<iframe srcdoc>``. Save, revert, publish (director) act on the own template.
- `print_document`: the document alone, full screen for Ctrl+P; a click on it goes
  back to the order card. Its own strict CSP: no script at all.
- `document_pdf`: the same through WeasyPrint, with an htmx indicator while it is made.
- Printing (full screen or PDF) an issued order keeps a `DocumentCopy`; a reprint of
  unchanged data shows that copy again (`copy_view`, `copy_pdf`).
"""

from __future__ import annotations

import secrets

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp, csp_replace
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import requires
from accounts.permissions import role_can
from documents import problems as problem_text
from documents import rendering, selectors, services, variables
from documents.context import document_meta, facts_for, order_context
from documents.engine.problems import Problem
from documents.models import DocumentCopy
from documents.services import DocumentError
from documents.types import TYPES, DocumentType, Paper
from orders.models import Order
from orders.views.common import get_order_or_404, visible_orders
from orders.workflow import Status
from workshop.http import WorkshopRequest

# The document page and its PDF: our stylesheets, the document's inline styles and
# embedded images, and nothing else: no script, no form, no frame, no base.
DOCUMENT_CSP = {
    "default-src": [NONE],
    "script-src": [NONE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "object-src": [NONE],
    "frame-ancestors": [NONE],
}
# The print screen shows previews in <iframe sandbox srcdoc>, which inherits this page's
# policy: the documents' inline styles must apply there (scripts stay 'self' only, and
# the sandbox runs none at all).
PRINT_SCREEN_CSP = {"style-src": [SELF, UNSAFE_INLINE]}
PDF_CACHE_SECONDS = 300
OWN, DEFAULT = "own", "default"


# ---------------------------------------------------------------- helpers


def _doc_or_404(doc_type: str) -> DocumentType:
    doc = TYPES.get(doc_type)
    if doc is None:
        raise Http404
    return doc


def _card_url(order: Order) -> str:
    return reverse("orders:card", kwargs={"order_number": order.number})


def _screen_url(order: Order, doc: DocumentType) -> str:
    return reverse(
        "documents:print_screen", kwargs={"order_number": order.number, "doc_type": doc.key}
    )


def _missing_page(
    request: WorkshopRequest, order: Order, doc: DocumentType, missing
) -> HttpResponse:
    return render(
        request,
        "documents/missing.html",
        {"order": order, "doc": doc, "missing": missing, "card_url": _card_url(order)},
        status=409,
    )


def _template_of(request: WorkshopRequest, doc: DocumentType, source: str) -> selectors.Resolved:
    if source == DEFAULT:
        return selectors.default_template(request.workshop, doc)
    return selectors.resolve(request.membership, doc)


def _context(order: Order, doc: DocumentType, *, number: str | None = None, when=None) -> dict:
    meta = document_meta(doc, number=number or str(order.number), date=when or timezone.now())
    return order_context(order, meta, payments_listed="payments" in doc.uses)


def _render(source: str, context: dict, doc: DocumentType) -> rendering.Result:
    return rendering.render_body(source, variables.pick(context, doc.uses))


def _page(body: str, paper: str, title: str, order: Order, *, preview: bool = False) -> str:
    return rendering.page(
        body,
        paper=paper,
        title=title,
        back_url=None if preview else _card_url(order),
        preview=preview,
        lang=selectors.document_language(),
    )


def _failed_page(request, order, doc, problems: list[Problem]) -> HttpResponse:
    return render(
        request,
        "documents/failed.html",
        {
            "order": order,
            "doc": doc,
            "messages_list": problem_text.messages(problems),
            "screen_url": _screen_url(order, doc),
            "card_url": _card_url(order),
        },
        status=422,
    )


def _preview(result: rendering.Result, paper: str, title: str, order: Order) -> dict:
    return {
        "page": _page(result.html, paper, title, order, preview=True) if result.ok else None,
        "problems": problem_text.messages(result.problems),
    }


def _checked_missing(order: Order, doc: DocumentType) -> list[str]:
    return doc.missing(facts_for(order))


# ---------------------------------------------------------------- the print screen


def _screen_context(request: WorkshopRequest, order: Order, doc: DocumentType, **extra) -> dict:
    context_data = _context(order, doc)
    default = selectors.default_template(request.workshop, doc)
    own_template = selectors.own_template(request.membership, doc)
    own_version = own_template.own_version if own_template else None
    editor_source = extra.pop("editor_source", None)
    editor_paper = extra.pop("editor_paper", None)
    if editor_source is None:
        editor_source = own_version.source if own_version else default.source
        editor_paper = own_version.paper if own_version else default.paper
    own_result = extra.pop("own_result", None) or _render(editor_source, context_data, doc)
    default_result = _render(default.source, context_data, doc)
    picked = variables.pick(context_data, doc.uses)
    issued = order.status == Status.ISSUED
    return {
        "order": order,
        "doc": doc,
        "default": default,
        "own_version": own_version,
        "editor_source": editor_source,
        "editor_paper": editor_paper,
        "papers": Paper.choices,
        "default_preview": _preview(default_result, default.paper, doc.title, order),
        "own_preview": _preview(own_result, editor_paper, doc.title, order),
        "reference": _reference(doc, picked),
        "example": _example(picked),
        "syntax": SYNTAX,
        "versions": selectors.versions(own_template),
        "copies": selectors.copies_for(order, doc.key) if issued else [],
        "issued": issued,
        "can_publish": role_can(request.membership.role, "documents.publish"),
        "can_edit": role_can(request.membership.role, "documents.edit_own"),
        "card_url": _card_url(order),
        "saved_version": None,
        "save_problems": [],
        **extra,
    }


EXAMPLE = "[[S/N: {device.serial}; ]][[tel. {client.phone}]]"
SYNTAX = {
    "loop": "{% for line in lines %}<tr><td>{line.name}</td></tr>{% endfor %}",
    "condition": "{% if order.estimate %}…{% endif %}",
}
# The loop variable the reference shows for each list.
LOOP_NAMES = {"lines": "line", "goods": "line", "services": "line", "payments": "payment"}


def _reference(doc: DocumentType, context: dict) -> list[dict]:
    """The variables of a document type with this order's values, lists as loops."""
    sections: list[dict] = []
    for path, label in variables.variables_for(doc.uses):
        if "[]." in path:
            name, field = path.split("[].")
            item = LOOP_NAMES.get(name, "item")
            loop = "{% for " + item + " in " + name + " %}"
            code = "{" + item + "." + field + "}"
        else:
            loop, code = None, "{" + path + "}"
        if not sections or sections[-1]["loop"] != loop:
            sections.append({"loop": loop, "rows": []})
        value = variables.value_at(context, path)
        sections[-1]["rows"].append(
            {
                "code": code,
                "label": label,
                "value": value,
                "is_image": isinstance(value, str) and value.startswith("data:image/"),
            }
        )
    return sections


def _example(context: dict) -> dict | None:
    """The syntax shown at work on this order's data, filled and emptied."""
    if "device" not in context or "client" not in context:
        return None
    filled = {
        **context,
        "device": {**context["device"], "serial": context["device"]["serial"] or "PF2ABC"},
        "client": {**context["client"], "phone": context["client"]["phone"] or "+7 912 345-67-89"},
    }
    empty = {**filled, "device": {**filled["device"], "serial": ""}}
    return {
        "source": EXAMPLE,
        "filled": rendering.render_body(EXAMPLE, filled).html,
        "empty": rendering.render_body(EXAMPLE, empty).html,
    }


@csp_replace(PRINT_SCREEN_CSP)
@requires("documents.print")
def print_screen(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    missing = _checked_missing(order, doc)
    if missing:
        return _missing_page(request, order, doc, missing)
    return render(request, "documents/print_screen.html", _screen_context(request, order, doc))


def _posted_template(request: WorkshopRequest, doc: DocumentType) -> tuple[str, str]:
    source = request.POST.get("source", "")
    paper = request.POST.get("paper", doc.paper)
    return source, paper if paper in Paper.values else doc.paper


@csp_replace(PRINT_SCREEN_CSP)
@require_POST
@requires("documents.edit_own")
def preview(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    """The own side's preview of unsaved text, with its problems (htmx, as they type)."""
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    source, paper = _posted_template(request, doc)
    if len(source) > services.MAX_POSTED:
        result = rendering.Result(
            problems=[Problem("too_large", None, {"limit": services.MAX_POSTED})]
        )
    else:
        result = services.template_check(
            doc=doc, source=source, workshop=request.workshop, order_context=_context(order, doc)
        )
    return render(
        request,
        "documents/print_screen.html#own_preview",
        {
            "order": order,
            "doc": doc,
            "issued": order.status == Status.ISSUED,
            "own_preview": _preview(result, paper, doc.title, order),
        },
    )


@csp_replace(PRINT_SCREEN_CSP)
@require_POST
@requires("documents.edit_own")
def template_save(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    source, paper = _posted_template(request, doc)
    extra: dict = {}
    status = 200
    if len(source) > services.MAX_POSTED:
        extra["save_problems"] = problem_text.messages(
            [Problem("too_large", None, {"limit": services.MAX_POSTED})]
        )
        status = 422
    else:
        try:
            saved = services.template_save(
                by=request.membership,
                doc=doc,
                source=source,
                paper=paper,
                order_context=_context(order, doc),
            )
        except DocumentError as exc:
            extra["save_problems"] = problem_text.messages(exc.problems) or [
                problem_text.Message(exc.message, None, True)
            ]
            status = 422
        else:
            extra["saved_version"] = saved.version
            extra["save_problems"] = problem_text.messages(saved.warnings)
    context = _screen_context(
        request,
        order,
        doc,
        editor_source=source[: services.MAX_POSTED],
        editor_paper=paper,
        refresh=bool(request.htmx),
        **extra,
    )
    template = (
        "documents/print_screen.html#own_pane" if request.htmx else "documents/print_screen.html"
    )
    return render(request, template, context, status=status)


@require_POST
@requires("documents.edit_own")
def template_revert(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    target = request.POST.get("version", "")
    try:
        if target == "default":
            services.template_revert(by=request.membership, doc=doc, number=None)
            messages.success(request, _("You now print the default template."))
        else:
            number = int(target)
            services.template_revert(by=request.membership, doc=doc, number=number)
            messages.success(request, _("Your template is back to version %(n)s.") % {"n": number})
    except (ValueError, DocumentError) as exc:
        messages.error(request, getattr(exc, "message", "") or _("There is no such version."))
    return _back_to_screen(request, order, doc)


def _back_to_screen(request: WorkshopRequest, order: Order, doc: DocumentType) -> HttpResponse:
    url = _screen_url(order, doc)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@requires("documents.publish")
def template_publish(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    try:
        if request.POST.get("action") == "unpublish":
            services.template_unpublish(by=request.membership, doc=doc)
            messages.success(
                request,
                _("Everyone without a template of their own prints the built-in one again."),
            )
        else:
            services.template_publish(by=request.membership, doc=doc)
            messages.success(
                request, _("Published: everyone without a template of their own prints yours.")
            )
    except DocumentError as exc:
        messages.error(request, exc.message)
    return _back_to_screen(request, order, doc)


# ---------------------------------------------------------------- printing


def _keep_copy(request: WorkshopRequest, order: Order, doc: DocumentType, source: str):
    """The printed copy of an issued order (the existing one if nothing changed)."""
    resolved = _template_of(request, doc, source)
    fingerprint = services.data_hash(variables.pick(_context(order, doc), doc.uses))
    lang = selectors.document_language()

    def make(number: str):
        result = _render(resolved.source, _context(order, doc, number=number), doc)
        if not result.ok:
            raise DocumentError(_("The document cannot be printed."), result.problems)
        return result.html, resolved.source, resolved.paper, lang

    return services.copy_keep(
        order=order, doc=doc, by=request.membership, fingerprint=fingerprint, render=make
    )


@csp(DOCUMENT_CSP)
@require_http_methods(["GET", "POST"])
@requires("documents.print")
def print_document(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    """The document alone on the page, ready for Ctrl+P; clicking it goes back."""
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    missing = _checked_missing(order, doc)
    if missing:
        return _missing_page(request, order, doc, missing)
    source = request.POST.get("source") or request.GET.get("source") or OWN
    if order.status == Status.ISSUED:
        if request.method != "POST":
            # Printing an issued order keeps a copy: that is a POST (the print screen's
            # buttons); a plain link shows the screen with those buttons.
            return redirect(_screen_url(order, doc))
        try:
            copy, _new = _keep_copy(request, order, doc, source)
        except DocumentError as exc:
            return _failed_page(request, order, doc, exc.problems)
        return redirect("documents:copy", copy_id=copy.pk)
    resolved = _template_of(request, doc, source)
    result = _render(resolved.source, _context(order, doc), doc)
    if not result.ok:
        return _failed_page(request, order, doc, result.problems)
    return HttpResponse(_page(result.html, resolved.paper, doc.title, order))


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_key(request: WorkshopRequest, token: str) -> str:
    return f"documents:pdf:{request.workshop.pk}:{request.membership.pk}:{token}"


def _pdf_of(body: str, paper: str, title: str, order: Order):
    return rendering.make_pdf(_page(body, paper, title, order, preview=True))


@csp(DOCUMENT_CSP)
@require_http_methods(["GET", "POST"])
@requires("documents.print")
def document_pdf(request: WorkshopRequest, order_number: int, doc_type: str) -> HttpResponse:
    """POST makes the PDF (keeping a copy for an issued order); over htmx the browser is
    then sent to GET ?token= to download it, so the button shows an indicator meanwhile."""
    order = get_order_or_404(request, order_number)
    doc = _doc_or_404(doc_type)
    filename = f"{doc.key}-{order.number}.pdf"
    if request.method == "GET":
        token = request.GET.get("token", "")
        data = cache.get(_pdf_key(request, token)) if token else None
        if data is None:
            # Made by another process or expired: a new POST makes it again.
            return redirect(_screen_url(order, doc))
        return _pdf_response(data, filename)
    missing = _checked_missing(order, doc)
    if missing:
        return _missing_page(request, order, doc, missing)
    source = request.POST.get("source") or OWN
    if order.status == Status.ISSUED:
        try:
            copy, _new = _keep_copy(request, order, doc, source)
        except DocumentError as exc:
            return _failed_page(request, order, doc, exc.problems)
        data, problems = _pdf_of(rendering.sanitize(copy.html), copy.paper, doc.title, order)
        filename = f"{doc.key}-{copy.number}.pdf"
    else:
        resolved = _template_of(request, doc, source)
        result = _render(resolved.source, _context(order, doc), doc)
        if not result.ok:
            return _failed_page(request, order, doc, result.problems)
        data, problems = _pdf_of(result.html, resolved.paper, doc.title, order)
    if data is None:
        return _failed_page(request, order, doc, problems)
    if request.htmx:
        token = secrets.token_urlsafe(16)
        cache.set(_pdf_key(request, token), data, PDF_CACHE_SECONDS)
        url = reverse("documents:pdf", kwargs={"order_number": order.number, "doc_type": doc.key})
        return HttpResponseClientRedirect(f"{url}?token={token}")
    return _pdf_response(data, filename)


# ---------------------------------------------------------------- printed copies


def _copy_or_404(request: WorkshopRequest, copy_id: int) -> tuple[DocumentCopy, Order]:
    copy = (
        DocumentCopy.objects.filter(workshop=request.workshop, pk=copy_id)
        .select_related("order")
        .first()
    )
    if copy is None:
        raise Http404
    # The member must be able to open its order (their branches; deleted for the director).
    order = visible_orders(request).filter(pk=copy.order_id).first()
    if order is None:
        raise Http404
    return copy, order


@csp(DOCUMENT_CSP)
@requires("documents.print")
def copy_view(request: WorkshopRequest, copy_id: int) -> HttpResponse:
    copy, order = _copy_or_404(request, copy_id)
    doc = _doc_or_404(copy.doc_type)
    return HttpResponse(_page(rendering.sanitize(copy.html), copy.paper, doc.title, order))


@csp(DOCUMENT_CSP)
@requires("documents.print")
def copy_pdf(request: WorkshopRequest, copy_id: int) -> HttpResponse:
    copy, order = _copy_or_404(request, copy_id)
    doc = _doc_or_404(copy.doc_type)
    data, problems = _pdf_of(rendering.sanitize(copy.html), copy.paper, doc.title, order)
    if data is None:
        return _failed_page(request, order, doc, problems)
    return _pdf_response(data, f"{doc.key}-{copy.number}.pdf")
