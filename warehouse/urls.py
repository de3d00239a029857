from django.urls import path

from warehouse import views

app_name = "warehouse"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("low/", views.low_stock, name="low"),
    path("lookup/", views.lookup, name="lookup"),
    path("settings/", views.settings, name="settings"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:product_id>/", views.product_card, name="product"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/threshold/", views.product_threshold, name="threshold"),
    path("receipts/new/", views.receipt_new, name="receipt_new"),
    path("transfers/new/", views.transfer_new, name="transfer_new"),
    path("write-offs/new/", views.write_off_new, name="write_off_new"),
    path("returns/new/", views.supplier_return_new, name="return_new"),
    path("counts/new/", views.count_new, name="count_new"),
    path("counts/sheet/", views.count_sheet, name="count_sheet"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("orders/<int:order_number>/parts/", views.order_part_add, name="order_part_add"),
    path(
        "orders/<int:order_number>/lines/<int:line_id>/serial/",
        views.order_serial,
        name="order_serial",
    ),
    path("receipts/", views.receipts, name="receipts"),
    path("transfers/", views.transfers, name="transfers"),
    path("write-offs/", views.write_offs, name="write_offs"),
    path("counts/", views.counts, name="counts"),
]
