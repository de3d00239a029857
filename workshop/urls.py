from django.urls import include, path

from accounts.views import home
from workshop.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("directories/", include("directories.urls")),
    path("orders/", include("orders.urls")),
    path("documents/", include("documents.urls")),
    path("cashdesk/", include("cashdesk.urls")),
    path("warehouse/", include("warehouse.urls")),
    path("notifications/", include("notifications.urls")),
    path("s/", include("notifications.public_urls")),
]

# A database outage answers 503 "try again" instead of the 500 page.
handler500 = "workshop.views.server_error"
# An order of another branch of one's own workshop says so (still a 404, none of its data).
handler404 = "workshop.views.page_not_found"
