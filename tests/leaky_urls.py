"""The real URLs plus one deliberately unscoped view, to prove the sweep can fail."""

from django.http import HttpResponse
from django.urls import include, path
from django_scopes import scopes_disabled

from accounts.models import Branch


def leaky_branch(request, branch_id: int) -> HttpResponse:
    with scopes_disabled():
        branch = Branch.objects.get(pk=branch_id)
    return HttpResponse(branch.name)


urlpatterns = [
    path("", include("workshop.urls")),
    path("leak/<int:branch_id>/", leaky_branch, name="leaky_branch"),
]
