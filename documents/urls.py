from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("orders/<int:order_number>/<slug:doc_type>/", views.print_screen, name="print_screen"),
    path("orders/<int:order_number>/<slug:doc_type>/preview/", views.preview, name="preview"),
    path("orders/<int:order_number>/<slug:doc_type>/save/", views.template_save, name="save"),
    path("orders/<int:order_number>/<slug:doc_type>/revert/", views.template_revert, name="revert"),
    path(
        "orders/<int:order_number>/<slug:doc_type>/publish/",
        views.template_publish,
        name="publish",
    ),
    path("orders/<int:order_number>/<slug:doc_type>/print/", views.print_document, name="print"),
    path("orders/<int:order_number>/<slug:doc_type>/pdf/", views.document_pdf, name="pdf"),
    path("copies/<int:copy_id>/", views.copy_view, name="copy"),
    path("copies/<int:copy_id>/pdf/", views.copy_pdf, name="copy_pdf"),
]
