"""Suggestions while typing, and the director's page to tidy the directories."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import requires
from directories import services
from directories.extensions import extra_suggestions
from directories.forms import MergeForm, RenameForm, SearchForm
from directories.models import Entry, Kind, fold
from workshop.http import WorkshopRequest

SUGGESTIONS = 10
PAGE_SIZE = 50


def _kind_or_404(kind: str) -> Kind:
    if kind not in Kind.values:
        raise Http404("No such directory")
    return Kind(kind)


def get_entry_or_404(request: WorkshopRequest, entry_id: int, *, live: bool = True) -> Entry:
    """An entry of this workshop; merged-away entries only where `live` is False."""
    entries = Entry.objects.filter(workshop=request.workshop)
    if live:
        entries = entries.live()
    return get_object_or_404(entries, pk=entry_id)


@require_GET
@requires("directories.suggest")
def suggest(request: WorkshopRequest, kind: str) -> HttpResponse:
    """The listbox options for what has been typed so far: one query, at most ten rows."""
    kind = _kind_or_404(kind)
    parent = request.GET.get("parent", "") if kind == Kind.MODEL else ""
    term = request.GET.get("q", "")
    entries = list(
        Entry.objects.filter(workshop=request.workshop, kind=kind)
        .suggestions(term, parent=parent, limit=SUGGESTIONS)
        .only("value", "parent", "last_price")
    )
    extra = extra_suggestions(request, kind, term, SUGGESTIONS) if term.strip() else []
    if extra:
        # Other apps' suggestions first (stock on hand), then the remembered entries.
        offered = {fold(row["value"]) for row in extra}
        entries = extra + [e for e in entries if fold(e.value) not in offered]
        entries = entries[:SUGGESTIONS]
    response = render(
        request,
        "directories/_suggestions.html",
        {"entries": entries, "show_parent": kind == Kind.MODEL and not fold(parent)},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@requires("directories.manage")
def index(request: WorkshopRequest) -> HttpResponse:
    counts = {
        row["kind"]: row
        for row in Entry.objects.filter(workshop=request.workshop)
        .live()
        .values("kind")
        .annotate(total=Count("id"), hidden=Count("id", filter=Q(is_hidden=True)))
    }
    kinds = [
        {
            "kind": kind,
            "label": kind.label,
            "total": counts.get(kind.value, {}).get("total", 0),
            "hidden": counts.get(kind.value, {}).get("hidden", 0),
        }
        for kind in Kind
    ]
    return render(request, "directories/index.html", {"kinds": kinds})


@require_GET
@requires("directories.manage")
def entries(request: WorkshopRequest, kind: str) -> HttpResponse:
    """One directory, alphabetically, searched by prefix, paged by keyset ("load more")."""
    kind = _kind_or_404(kind)
    form = SearchForm(request.GET)
    form.is_valid()
    term = form.cleaned_data.get("q", "")
    qs = Entry.objects.filter(workshop=request.workshop, kind=kind).live().with_prefix(term)
    after_key = form.cleaned_data.get("after_key")
    after_id = form.cleaned_data.get("after_id")
    if after_key is not None and after_id is not None:
        qs = qs.filter(Q(key__gt=after_key) | Q(key=after_key, id__gt=after_id))
    rows = list(qs.order_by("key", "id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    context = {
        "kind": kind,
        "form": form,
        "term": term,
        "rows": rows,
        "next_page": (
            {"q": term, "after_key": rows[-1].key, "after_id": rows[-1].pk} if more else None
        ),
        "is_priced": kind in {Kind.SERVICE, Kind.GOODS},
        "is_model": kind == Kind.MODEL,
    }
    if request.htmx:
        return render(request, "directories/entries.html#rows", context)
    return render(request, "directories/entries.html", context)


def _row(request: WorkshopRequest, entry: Entry) -> HttpResponse:
    return render(
        request,
        "directories/entries.html#row",
        {
            "entry": entry,
            "is_priced": entry.kind in {Kind.SERVICE, Kind.GOODS},
            "is_model": entry.kind == Kind.MODEL,
        },
    )


@require_GET
@requires("directories.manage")
def entry_detail(request: WorkshopRequest, entry_id: int) -> HttpResponse:
    """An entry with its journal; for htmx (a cancelled inline rename) just its row."""
    entry = get_entry_or_404(request, entry_id, live=False)
    if request.htmx and entry.merged_into_id is None:
        return _row(request, entry)
    return render(
        request,
        "directories/entry.html",
        {
            "entry": entry,
            "history": _journal(entry),
            "rename_form": RenameForm(initial={"value": entry.value}),
            "merge_form": MergeForm(kind=entry.kind),
        },
    )


JOURNAL_SIZE = 50


def _journal(entry: Entry) -> list[dict]:
    """The entry's latest journal records, newest first, each described in words."""
    records = list(
        entry.history.select_related("history_user", "merged_into").order_by(
            "-history_date", "-history_id"
        )[: JOURNAL_SIZE + 1]
    )
    lines = []
    for record, older in zip(records, [*records[1:], None], strict=True):
        lines.append({"record": record, "what": _describe(record, older)})
    return lines[:JOURNAL_SIZE]


# The entry's fields whose changes the journal puts in words.
_DESCRIBED = ("value", "merged_into", "is_hidden", "parent", "use_count")


def _describe(record, older) -> str:
    if record.history_type == "+":
        return _("Remembered")
    if record.history_type == "-":
        return _("Deleted")
    if older is None:
        return _("Changed")
    delta = {c.field: c for c in record.diff_against(older, included_fields=_DESCRIBED).changes}
    changes = []
    if "value" in delta:
        changes.append(_("Renamed from “%(old)s”") % {"old": older.value})
    if record.merged_into_id and "merged_into" in delta:
        target = record.merged_into.value if record.merged_into else f"#{record.merged_into_id}"
        changes.append(_("Merged into “%(target)s”") % {"target": target})
    if "is_hidden" in delta:
        changes.append(_("Hidden") if record.is_hidden else _("Shown again"))
    if "parent" in delta:
        changes.append(_("Brand changed from “%(old)s”") % {"old": older.parent or "—"})
    used = delta.get("use_count")
    if used and used.new > used.old and not changes:
        changes.append(_("Took over the uses of a merged entry"))
    return "; ".join(changes) or _("Changed")


@requires("directories.manage")
def entry_rename(request: WorkshopRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_or_404(request, entry_id)
    if request.method == "POST":
        form = RenameForm(request.POST)
        if form.is_valid():
            try:
                entry = services.entry_rename(
                    entry=entry, value=form.cleaned_data["value"], by=request.user
                )
            except services.DirectoryError as exc:
                form.add_error("value", str(exc))
            else:
                if request.htmx:
                    return _row(request, entry)
                messages.success(request, _("Renamed to “%(value)s”.") % {"value": entry.value})
                return redirect("directories:entry", entry_id=entry.pk)
    elif request.method == "GET":
        form = RenameForm(initial={"value": entry.value})
    else:
        return HttpResponse(status=405)
    if request.htmx:
        return render(
            request,
            "directories/entries.html#rename_row",
            {"entry": entry, "form": form, "is_priced": entry.kind in {Kind.SERVICE, Kind.GOODS}},
        )
    return render(
        request,
        "directories/entry.html",
        {
            "entry": entry,
            "history": _journal(entry),
            "rename_form": form,
            "merge_form": MergeForm(kind=entry.kind),
        },
    )


@require_POST
@requires("directories.manage")
def entry_merge(request: WorkshopRequest, entry_id: int) -> HttpResponse:
    source = get_entry_or_404(request, entry_id)
    form = MergeForm(request.POST, kind=source.kind)
    if form.is_valid():
        target = _merge_target(request, source, form.cleaned_data["target"])
        if target is None:
            form.add_error(
                "target", _("There is no such entry in this directory. Pick one from the list.")
            )
        else:
            try:
                services.entry_merge(source=source, target=target, by=request.user)
            except services.DirectoryError as exc:
                form.add_error("target", str(exc))
            else:
                messages.success(
                    request,
                    _("“%(source)s” merged into “%(target)s”.")
                    % {"source": source.value, "target": target.value},
                )
                return redirect("directories:entry", entry_id=target.pk)
    return render(
        request,
        "directories/entry.html",
        {
            "entry": source,
            "history": _journal(source),
            "rename_form": RenameForm(initial={"value": source.value}),
            "merge_form": form,
        },
        status=200,
    )


def _merge_target(request: WorkshopRequest, source: Entry, text: str) -> Entry | None:
    """The entry the typed text names, preferring one under the source's brand."""
    candidates = (
        Entry.objects.filter(workshop=request.workshop, kind=source.kind, key=fold(text))
        .live()
        .exclude(pk=source.pk)
    )
    ranked = sorted(candidates, key=lambda e: (e.parent_key != source.parent_key, e.pk))
    return ranked[0] if ranked else None


@require_POST
@requires("directories.manage")
def entry_hide(request: WorkshopRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_or_404(request, entry_id)
    hidden = request.POST.get("hidden", "1") != "0"
    entry = services.entry_hide(entry=entry, hidden=hidden, by=request.user)
    if request.htmx:
        return _row(request, entry)
    if hidden:
        messages.success(request, _("“%(value)s” is no longer suggested.") % {"value": entry.value})
    else:
        messages.success(request, _("“%(value)s” is suggested again.") % {"value": entry.value})
    return redirect("directories:entry", entry_id=entry.pk)


@require_POST
@requires("directories.manage")
def entry_delete(request: WorkshopRequest, entry_id: int) -> HttpResponse:
    entry = get_entry_or_404(request, entry_id)
    kind, value = entry.kind, entry.value
    services.entry_delete(entry=entry, by=request.user)
    if request.htmx:
        # The row disappears (hx-swap="outerHTML" with an empty body).
        return HttpResponse("")
    messages.success(request, _("“%(value)s” deleted.") % {"value": value})
    return redirect(reverse("directories:entries", kwargs={"kind": kind}))
