from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from accounts.decorators import requires
from accounts.forms import SignInForm
from accounts.models import Membership
from workshop.http import WorkshopRequest


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@requires("accounts.view_home")
def home(request: WorkshopRequest) -> HttpResponse:
    membership = request.membership
    colleagues = (
        Membership.objects.active()
        .for_workshop(request.workshop)
        .select_related("user")
        .prefetch_related("branches")
        .order_by("user__full_name", "id")
    )
    return render(
        request,
        "accounts/home.html",
        {
            "branches": membership.visible_branches(),
            "colleagues": colleagues,
        },
    )
