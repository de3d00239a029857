"""The warehouse's screens: the branch's stock, a product's card, documents (receipts,
transfers, write-offs, returns, counts), the low-stock list, the scanner's lookup, and
the order card's stock actions (a serial number for a line, a PC build's parts).

Views are thin: tenant-scoped getters find the rows, forms validate, one service
records. Another workshop's object and a missing one are the same 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import requires
from accounts.models import Branch
from accounts.permissions import role_can
from orders import services as order_services
from orders.models import Order, OrderLine
from orders.views.common import errors_to_form, get_order_or_404
from orders.workflow import CLOSED, Kind
from warehouse import forms, selectors, services
from warehouse.models import Document, DocumentKind, Product, Stock
from warehouse.quantity import display
from workshop.http import WorkshopRequest

SESSION_BRANCH = "warehouse_branch"
LIST_KINDS = {
    "receipts": (DocumentKind.RECEIPT,),
    "transfers": (DocumentKind.TRANSFER,),
    "write_offs": (DocumentKind.WRITE_OFF, DocumentKind.SUPPLIER_RETURN),
    "counts": (DocumentKind.COUNT,),
}
LIST_TITLES = {
    "receipts": gettext_lazy("Receipts"),
    "transfers": gettext_lazy("Transfers"),
    "write_offs": gettext_lazy("Write-offs and returns"),
    "counts": gettext_lazy("Inventory counts"),
}


# ---------------------------------------------------------------- lookups


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def current_branch(request: WorkshopRequest) -> tuple[Branch | None, list[Branch]]:
    """The branch the pages are about: asked for, remembered in this sign-in, else where the
    person works now (their last chosen branch, kept across sign-ins, or their own)."""
    branches = selectors.branches_of(request.membership)
    wanted = int_or_none(request.GET.get("branch") or request.POST.get("branch"))
    asked = selectors.pick_branch(branches, wanted) if wanted is not None else None
    if asked is not None and asked.pk == wanted:
        if request.GET.get("switch"):
            # Switching the branch with the picker is choosing where one works: the "+"
            # forms follow. A link that merely names a branch (a transfer's "← Stock")
            # shows it without changing where the person works.
            request.membership.remember_branch(asked)
        branch = asked
    else:
        remembered = request.session.get(SESSION_BRANCH)
        branch = next((b for b in branches if b.pk == remembered), None)
        if branch is None:
            branch = request.membership.working_branch(branches)
    if branch is not None and request.session.get(SESSION_BRANCH) != branch.pk:
        request.session[SESSION_BRANCH] = branch.pk
    return branch, branches


def get_product_or_404(request: WorkshopRequest, product_id: int) -> Product:
    product = Product.objects.filter(workshop=request.workshop, pk=product_id).first()
    if product is None:
        raise Http404
    return product


def get_document_or_404(request: WorkshopRequest, document_id: int) -> Document:
    """This workshop's document, of a branch the member works in."""
    ids = [b.pk for b in selectors.branches_of(request.membership)]
    document = (
        Document.objects.filter(workshop=request.workshop, pk=document_id)
        .filter(branch__in=ids)
        .select_related("branch", "to_branch", "by__user")
        .first()
    ) or (
        Document.objects.filter(workshop=request.workshop, pk=document_id, to_branch__in=ids)
        .select_related("branch", "to_branch", "by__user")
        .first()
    )
    if document is None:
        raise Http404
    return document


def _no_branch(request: WorkshopRequest) -> HttpResponse:
    messages.error(request, _("You have not been given a branch yet. Ask the director."))
    return redirect("home")


def _can(request: WorkshopRequest, permission: str) -> bool:
    return role_can(request.membership.role, permission)


def _stock_url(branch: Branch) -> str:
    return f"{reverse('warehouse:stock')}?branch={branch.pk}"


# ---------------------------------------------------------------- stock


@require_GET
@requires("warehouse.view")
def stock(request: WorkshopRequest) -> HttpResponse:
    """The current branch's stock: search by name, SKU or barcode, filters, load more."""
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    show = request.GET.get("show", "")
    show = show if show in selectors.Show.CHOICES else ""
    page = selectors.stock_page(
        branch,
        q=q,
        show=show,
        after_key=request.GET.get("after_key"),
        after_id=int_or_none(request.GET.get("after_id")),
    )
    ctx = {
        "branch": branch,
        "branches": branches,
        "q": q,
        "show": show,
        "page": page,
        "filters": [
            ("", _("All")),
            ("low", _("Low stock")),
            ("reserved", _("Reserved")),
            ("out", _("Out of stock")),
        ],
    }
    if request.htmx and request.GET.get("after_id"):
        return render(request, "warehouse/stock.html#rows", ctx)
    return render(request, "warehouse/stock.html", ctx)


@require_GET
@requires("warehouse.view")
def low_stock(request: WorkshopRequest) -> HttpResponse:
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    return render(
        request,
        "warehouse/low.html",
        {"branch": branch, "branches": branches, "rows": selectors.low_stock(branch)},
    )


@require_GET
@requires("warehouse.view")
def lookup(request: WorkshopRequest) -> HttpResponse:
    """What a scanned code is, for the scanner in product fields: JSON, one or two queries."""
    branch, _branches = current_branch(request)
    code = request.GET.get("code", "").replace("\x00", "").strip()[:200]
    product = services.product_lookup(workshop=request.workshop, text=code)
    if product is None:
        response = JsonResponse(
            {
                "found": False,
                "message": _("No product with this barcode, SKU or name: “%(text)s”.")
                % {"text": code},
            },
            status=200,
        )
    else:
        stock = (
            Stock.objects.filter(workshop=request.workshop, product=product, branch=branch).first()
            if branch
            else None
        )
        on_hand = stock.on_hand if stock else 0
        available = stock.available if stock else 0
        response = JsonResponse(
            {
                "found": True,
                "id": product.pk,
                "name": product.name,
                "price": f"{product.price:.2f}",
                "price_local": localize(product.price),
                "unit": product.get_unit_display(),
                "serial_tracked": product.serial_tracked,
                "on_hand": display(on_hand),
                "available": display(available),
                "hint": _("%(available)s available of %(on_hand)s in %(branch)s")
                % {
                    "available": display(available),
                    "on_hand": display(on_hand),
                    "branch": branch.name if branch else "—",
                },
            }
        )
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- products


@requires("warehouse.manage_products")
def product_new(request: WorkshopRequest) -> HttpResponse:
    form = forms.ProductForm(
        request.POST or None, initial={"barcode": request.GET.get("barcode", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(
                workshop=request.workshop, data=form.cleaned_data, by=request.membership
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.WarehouseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product.name})
            return redirect("warehouse:product", product_id=product.pk)
    return render(request, "warehouse/product_form.html", {"form": form, "product": None})


@requires("warehouse.manage_products")
def product_edit(request: WorkshopRequest, product_id: int) -> HttpResponse:
    product = get_product_or_404(request, product_id)
    form = forms.ProductForm(request.POST or None, instance=None, initial=_product_initial(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, data=form.cleaned_data, by=request.membership)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.WarehouseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Product saved."))
            return redirect("warehouse:product", product_id=product.pk)
    return render(request, "warehouse/product_form.html", {"form": form, "product": product})


def _product_initial(product: Product) -> dict:
    return {f: getattr(product, f) for f in services.PRODUCT_FIELDS}


@require_GET
@requires("warehouse.view")
def product_card(request: WorkshopRequest, product_id: int) -> HttpResponse:
    """On hand and reserved per branch, average cost, movements, the orders that used it."""
    product = get_product_or_404(request, product_id)
    branch, branches = current_branch(request)
    page = selectors.product_movements(product, branches, int_or_none(request.GET.get("after")))
    ctx = {"product": product, "branch": branch, "page": page}
    if request.htmx and request.GET.get("after"):
        return render(request, "warehouse/product.html#movements", ctx)
    stocks = selectors.product_stocks(product, branches)
    here = next((s for s in stocks if branch and s.branch_id == branch.pk), None)
    ctx.update(
        stocks=stocks,
        orders=selectors.product_orders(product, branches),
        threshold_form=forms.ThresholdForm(
            initial={
                "min_quantity": display(here.min_quantity)
                if here and here.min_quantity is not None
                else ""
            }
        ),
        show_costs=_can(request, "warehouse.view_costs"),
    )
    return render(request, "warehouse/product.html", ctx)


@require_POST
@requires("warehouse.manage_products")
def product_threshold(request: WorkshopRequest, product_id: int) -> HttpResponse:
    product = get_product_or_404(request, product_id)
    branch, _branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    form = forms.ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.threshold_set(
                product=product,
                branch=branch,
                min_quantity=form.cleaned_data["min_quantity"],
                by=request.membership,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Low-stock threshold saved for %(branch)s.") % {"branch": branch.name}
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(
        f"{reverse('warehouse:product', kwargs={'product_id': product.pk})}?branch={branch.pk}"
    )


# ---------------------------------------------------------------- documents


def _documents(request: WorkshopRequest, listing: str) -> HttpResponse:
    branch, branches = current_branch(request)
    page = selectors.documents_page(
        request.membership, LIST_KINDS[listing], int_or_none(request.GET.get("after")), branches
    )
    ctx = {
        "page": page,
        "listing": listing,
        "title": LIST_TITLES[listing],
        "branch": branch,
        "show_costs": _can(request, "warehouse.view_costs"),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "warehouse/documents.html#rows", ctx)
    return render(request, "warehouse/documents.html", ctx)


@require_GET
@requires("warehouse.receive")
def receipts(request: WorkshopRequest) -> HttpResponse:
    return _documents(request, "receipts")


@require_GET
@requires("warehouse.view")
def transfers(request: WorkshopRequest) -> HttpResponse:
    return _documents(request, "transfers")


@require_GET
@requires("warehouse.view")
def write_offs(request: WorkshopRequest) -> HttpResponse:
    return _documents(request, "write_offs")


@require_GET
@requires("warehouse.view")
def counts(request: WorkshopRequest) -> HttpResponse:
    return _documents(request, "counts")


@require_GET
@requires("warehouse.view")
def document_detail(request: WorkshopRequest, document_id: int) -> HttpResponse:
    document = get_document_or_404(request, document_id)
    movements = selectors.document_movements(document)
    if document.kind == DocumentKind.TRANSFER:
        movements = [m for m in movements if m.quantity < 0]
    count_lines = (
        list(document.count_lines.select_related("product").order_by("product__name_key"))
        if document.kind == DocumentKind.COUNT
        else []
    )
    return render(
        request,
        "warehouse/document.html",
        {
            "document": document,
            "movements": movements,
            "count_lines": count_lines,
            "show_costs": _can(request, "warehouse.view_costs"),
        },
    )


TITLES = {
    DocumentKind.RECEIPT: gettext_lazy("Receipt from a supplier"),
    DocumentKind.TRANSFER: gettext_lazy("Transfer to another branch"),
    DocumentKind.WRITE_OFF: gettext_lazy("Write-off"),
    DocumentKind.SUPPLIER_RETURN: gettext_lazy("Return to supplier"),
}


def _document_form(request: WorkshopRequest, kind: str) -> HttpResponse:
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    data = request.POST if request.method == "POST" else None
    with_cost = kind == DocumentKind.RECEIPT
    rows = forms.RowFormSet(
        data, prefix="rows", form_kwargs={"workshop": request.workshop, "with_cost": with_cost}
    )
    if kind == DocumentKind.RECEIPT:
        head = forms.ReceiptForm(data)
    elif kind == DocumentKind.TRANSFER:
        all_branches = list(Branch.objects.filter(workshop=request.workshop, is_active=True))
        head = forms.TransferForm(data, branches=all_branches, current=branch)
    elif kind == DocumentKind.WRITE_OFF:
        head = forms.WriteOffForm(data)
    else:
        head = forms.SupplierReturnForm(data)
    if data is not None:
        head_ok, rows_ok = head.is_valid(), rows.is_valid()
        filled = rows.rows() if rows_ok else []
        if rows_ok and not filled:
            rows_ok = False
            head.add_error(None, _("Add at least one product."))
        if head_ok and rows_ok:
            try:
                document = _post(request, kind, branch, head.cleaned_data, [r for _i, r in filled])
            except services.RowsInvalid as exc:
                for index, errors in exc.errors.items():
                    form = rows.forms[filled[index][0]]
                    for name, messages_ in errors.items():
                        form.add_error(name if name in form.fields else None, messages_)
                head.add_error(None, exc.message)
            except ValidationError as exc:
                errors_to_form(head, exc)
            except services.AlreadyRecorded as exc:
                messages.info(request, exc.message)
                return redirect("warehouse:document", document_id=exc.document.pk)
            except services.WarehouseError as exc:
                head.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(what)s №%(number)s posted.")
                    % {"what": document.get_kind_display(), "number": document.pk},
                )
                return redirect("warehouse:document", document_id=document.pk)
    return render(
        request,
        "warehouse/document_form.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "branch": branch,
            "branches": branches,
            "head": head,
            "rows": rows,
            "with_cost": with_cost,
            "action": request.path,
        },
    )


def _post(request: WorkshopRequest, kind: str, branch: Branch, head: dict, rows) -> Document:
    by, key = request.membership, head["key"]
    if kind == DocumentKind.RECEIPT:
        return services.receipt_post(
            branch=branch,
            rows=rows,
            by=by,
            key=key,
            supplier=head.get("supplier", ""),
            supplier_number=head.get("supplier_number", ""),
        )
    if kind == DocumentKind.TRANSFER:
        return services.transfer_post(
            branch=branch, to_branch=head["to_branch"], rows=rows, by=by, key=key
        )
    if kind == DocumentKind.WRITE_OFF:
        return services.write_off_post(
            branch=branch, rows=rows, reason=head["reason"], by=by, key=key
        )
    return services.supplier_return_post(
        branch=branch,
        rows=rows,
        supplier=head["supplier"],
        reason=head.get("reason", ""),
        by=by,
        key=key,
    )


@requires("warehouse.receive")
def receipt_new(request: WorkshopRequest) -> HttpResponse:
    return _document_form(request, DocumentKind.RECEIPT)


@requires("warehouse.transfer")
def transfer_new(request: WorkshopRequest) -> HttpResponse:
    return _document_form(request, DocumentKind.TRANSFER)


@requires("warehouse.write_off")
def write_off_new(request: WorkshopRequest) -> HttpResponse:
    return _document_form(request, DocumentKind.WRITE_OFF)


@requires("warehouse.write_off")
def supplier_return_new(request: WorkshopRequest) -> HttpResponse:
    return _document_form(request, DocumentKind.SUPPLIER_RETURN)


@requires("warehouse.count")
def count_new(request: WorkshopRequest) -> HttpResponse:
    """The count sheet on screen: type what is on the shelf; empty fields are not counted."""
    branch, branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    sheet = selectors.count_sheet(branch)
    form = forms.CountForm(request.POST if request.method == "POST" else None, stocks=sheet)
    if request.method == "POST" and form.is_valid():
        counted = form.counted()
        products = list(counted)
        try:
            document = services.count_post(
                branch=branch, counted=counted, by=request.membership, key=form.cleaned_data["key"]
            )
        except services.RowsInvalid as exc:
            for index, errors in exc.errors.items():
                for messages_ in errors.values():
                    form.add_error(f"c{products[index].pk}", messages_)
            form.add_error(None, exc.message)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except services.AlreadyRecorded as exc:
            messages.info(request, exc.message)
            return redirect("warehouse:document", document_id=exc.document.pk)
        except services.WarehouseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Inventory count №%(number)s posted.") % {"number": document.pk}
            )
            return redirect("warehouse:document", document_id=document.pk)
    return render(
        request,
        "warehouse/count.html",
        {"branch": branch, "branches": branches, "form": form, "rows": form.bound_rows()},
    )


@require_GET
@requires("warehouse.count")
def count_sheet(request: WorkshopRequest) -> HttpResponse:
    """The printable count sheet: what the books say, and a blank to write the count in."""
    branch, _branches = current_branch(request)
    if branch is None:
        return _no_branch(request)
    return render(
        request,
        "warehouse/count_sheet.html",
        {"branch": branch, "rows": selectors.count_sheet(branch)},
    )


@requires("warehouse.settings")
def settings(request: WorkshopRequest) -> HttpResponse:
    current = services.allows_negative(request.workshop.pk)
    form = forms.SettingsForm(request.POST or None, initial={"allow_negative": current})
    if request.method == "POST" and form.is_valid():
        services.settings_update(
            workshop=request.workshop,
            allow_negative=form.cleaned_data["allow_negative"],
            by=request.membership,
        )
        messages.success(request, _("Warehouse settings saved."))
        return redirect("warehouse:settings")
    return render(request, "warehouse/settings.html", {"form": form})


# ---------------------------------------------------------------- the order card


def _card(order: Order) -> str:
    return reverse("orders:card", kwargs={"order_number": order.number})


@require_POST
@requires("orders.edit")
def order_serial(request: WorkshopRequest, order_number: int, line_id: int) -> HttpResponse:
    """Say which serial-numbered unit goes on a goods line."""
    order = get_order_or_404(request, order_number)
    line = OrderLine.objects.filter(workshop=request.workshop, order=order, pk=line_id).first()
    if line is None:
        raise Http404
    form = forms.SerialForm(request.POST)
    if form.is_valid():
        try:
            services.serial_assign(
                order=order,
                line_id=line.pk,
                serial=form.cleaned_data["serial"],
                by=request.membership,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except services.WarehouseError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Serial %(serial)s goes on “%(name)s”.")
                % {"serial": form.cleaned_data["serial"], "name": line.name},
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(_card(order))


@require_POST
@requires("orders.edit")
def order_part_add(request: WorkshopRequest, order_number: int) -> HttpResponse:
    """A PC build's part from stock: a goods line at the product's price, holding it."""
    order = get_order_or_404(request, order_number)
    if order.kind != Kind.PC_BUILD or order.status in CLOSED or order.is_deleted:
        messages.error(request, _("Parts from stock are added to an open PC build."))
        return redirect(_card(order))
    form = forms.PartForm(request.POST, workshop=request.workshop)
    if form.is_valid():
        product = form.cleaned_data["product"]
        try:
            with transaction.atomic():
                line = order_services.line_add(
                    order=order,
                    by=request.membership,
                    data={
                        "kind": OrderLine.LineKind.GOODS,
                        "name": product.name,
                        "quantity": form.cleaned_data["quantity"],
                        "unit_price": product.price,
                        "performer": request.membership,
                    },
                )
                line.order = order
                # Idempotent: once orders calls the hook itself, this finds the hold made.
                services.reserve_for_line(line=line, by=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (order_services.OrderError, services.WarehouseError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(request, _("“%(name)s” added to the build.") % {"name": product.name})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(_card(order))
