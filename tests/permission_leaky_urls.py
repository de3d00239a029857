"""The real URLs plus two deliberately unguarded views, to prove the permission sweep fails."""

from django.http import HttpResponse
from django.urls import include, path


def leaky_staff(request) -> HttpResponse:
    """Claims the director's permission, as @requires would mark it, but never checks it."""
    return HttpResponse("everyone's salaries")


leaky_staff.required_permission = "accounts.manage_staff"


def leaky_report(request) -> HttpResponse:
    """No @requires at all, and not on the sweep's list of public views."""
    return HttpResponse("a report")


urlpatterns = [
    path("", include("workshop.urls")),
    path("leak/staff/", leaky_staff, name="leaky_staff"),
    path("leak/report/", leaky_report, name="leaky_report"),
]
