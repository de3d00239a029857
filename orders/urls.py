from django.urls import path

from orders.views import card, clients, new, today, work
from orders.workflow import Kind

app_name = "orders"

urlpatterns = [
    path("", work.work, name="work"),
    path("today/", today.today, name="today"),
    # One pattern per kind (no kind in the path), so each "+" page has its own name.
    path("new/sale/", new.order_new, {"kind": Kind.SALE}, name="new_sale"),
    path("new/pc-build/", new.order_new, {"kind": Kind.PC_BUILD}, name="new_pc_build"),
    path("new/call-out/", new.order_new, {"kind": Kind.CALL_OUT}, name="new_call_out"),
    path("new/repair/", new.order_new, {"kind": Kind.REPAIR}, name="new_repair"),
    path("lookup/", new.client_lookup, name="lookup"),
    path("<int:order_number>/", card.order_card, name="card"),
    path("<int:order_number>/version/", card.order_version, name="version"),
    path("<int:order_number>/journal/", card.order_journal, name="journal"),
    path("<int:order_number>/move/", card.order_transition, name="transition"),
    path("<int:order_number>/delete/", card.order_delete, name="delete"),
    path("<int:order_number>/restore/", card.order_restore, name="restore"),
    path("<int:order_number>/correct/", card.order_correct, name="correct"),
    path("<int:order_number>/lines/", card.line_add, name="line_add"),
    path("<int:order_number>/lines/<int:line_id>/", card.line_update, name="line_update"),
    path("<int:order_number>/lines/<int:line_id>/remove/", card.line_remove, name="line_remove"),
    path("clients/", clients.client_list, name="clients"),
    path("clients/<int:client_id>/", clients.client_card, name="client"),
    path("clients/<int:client_id>/delete/", clients.client_delete, name="client_delete"),
    path("clients/<int:client_id>/restore/", clients.client_restore, name="client_restore"),
    path("devices/<int:device_id>/", clients.device_card, name="device"),
]
