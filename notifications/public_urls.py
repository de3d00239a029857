"""The public order-status page, at the site's root (/s/<token>) so the link is short."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("<str:status_token>", views.status_page, name="status"),
    path("<str:status_token>/approve", views.status_approve, name="status_approve"),
]
