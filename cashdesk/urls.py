from django.urls import path

from cashdesk import report_views, views

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
    path("work/", report_views.work, name="work"),
    path("work/<int:work_member_id>/orders/", report_views.work_orders, name="work_orders"),
    path("salary/", report_views.salary, name="salary"),
    path("salary/<int:salary_member_id>/", report_views.salary_member, name="salary_member"),
    path("payroll/", report_views.payroll_page, name="payroll"),
    path("payroll/close/", report_views.payroll_close, name="payroll_close"),
    path("payroll/<int:payroll_id>/", report_views.payroll_detail, name="payroll_detail"),
    path("reports/", report_views.report, name="report"),
    path("exports/", report_views.export_start, name="export_start"),
    path("exports/<int:export_id>/", report_views.export_status, name="export"),
    path("exports/<int:export_id>/file/", report_views.export_download, name="export_download"),
]
