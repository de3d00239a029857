from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.event_map, name="map"),
    path("rule/", views.rule_edit, name="rule"),
    path("rule/preview/", views.rule_preview, name="rule_preview"),
    path("uncollected/", views.uncollected, name="uncollected"),
    path("order/<int:order_number>/link/new/", views.link_regenerate, name="link_regenerate"),
    path("order/<int:order_number>/link/revoke/", views.link_revoke, name="link_revoke"),
    path("order/<int:order_number>/estimate/", views.estimate_send, name="estimate_send"),
    path("message/<int:message_id>/retry/", views.message_retry, name="message_retry"),
    path("client/<int:client_id>/consent/", views.consent, name="consent"),
]
