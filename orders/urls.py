from django.urls import path

from orders import client_views, views
from orders.workflow import Kind

app_name = "orders"

urlpatterns = [
    path("", views.work, name="work"),
    # One pattern per kind (no kind in the path), so each "+" page has its own name.
    path("new/sale/", views.order_new, {"kind": Kind.SALE}, name="new_sale"),
    path("new/pc-build/", views.order_new, {"kind": Kind.PC_BUILD}, name="new_pc_build"),
    path("new/call-out/", views.order_new, {"kind": Kind.CALL_OUT}, name="new_call_out"),
    path("new/repair/", views.order_new, {"kind": Kind.REPAIR}, name="new_repair"),
    path("lookup/", views.client_lookup, name="lookup"),
    path("<int:order_number>/", views.order_card, name="card"),
    path("<int:order_number>/version/", views.order_version, name="version"),
    path("<int:order_number>/journal/", views.order_journal, name="journal"),
    path("<int:order_number>/move/", views.order_transition, name="transition"),
    path("<int:order_number>/delete/", views.order_delete, name="delete"),
    path("<int:order_number>/restore/", views.order_restore, name="restore"),
    path("<int:order_number>/lines/", views.line_add, name="line_add"),
    path("<int:order_number>/lines/<int:line_id>/", views.line_update, name="line_update"),
    path("<int:order_number>/lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("clients/", client_views.client_list, name="clients"),
    path("clients/<int:client_id>/", client_views.client_card, name="client"),
    path("clients/<int:client_id>/delete/", client_views.client_delete, name="client_delete"),
    path("clients/<int:client_id>/restore/", client_views.client_restore, name="client_restore"),
    path("devices/<int:device_id>/", client_views.device_card, name="device"),
]
