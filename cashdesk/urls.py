from django.urls import path

from cashdesk import views

app_name = "cashdesk"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("expense/", views.expense, name="expense"),
    path("withdrawal/", views.withdrawal, name="withdrawal"),
    path("deposit/", views.deposit, name="deposit"),
    path("refund/", views.refund_find, name="refund_find"),
    path("shifts/", views.shift_list, name="shifts"),
    path("shifts/<int:shift_id>/", views.shift_detail, name="shift"),
    path("shifts/<int:shift_id>/close/", views.shift_close, name="shift_close"),
    path("shifts/<int:shift_id>/z-report/", views.z_report, name="z_report"),
    path("entries/<int:cash_entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("debts/", views.debts, name="debts"),
    path("field-cash/", views.field_cash, name="field_cash"),
    path("field-cash/<int:membership_id>/hand-in/", views.hand_in, name="hand_in"),
    path("orders/<int:order_number>/issue/", views.order_issue, name="order_issue"),
    path("orders/<int:order_number>/pay/", views.order_pay, name="order_pay"),
    path("orders/<int:order_number>/prepayment/", views.order_prepayment, name="order_prepayment"),
    path("orders/<int:order_number>/refund/", views.order_refund, name="order_refund"),
    path("orders/<int:order_number>/field-cash/", views.order_field_cash, name="order_field_cash"),
]
