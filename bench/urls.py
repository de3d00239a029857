"""The app's URLs plus the benchmark's floor: the most trivial signed-in view.

bench/run.py serves these (ROOT_URLCONF) so `floor_p50_ms` is a request through the
whole middleware stack (session, user and membership, workshop scope, lock checks)
that renders nothing: what every page pays before its own work.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from accounts.decorators import requires
from workshop.urls import urlpatterns as app_urlpatterns


@requires("orders.view")
def floor(request):
    return HttpResponse(f"ok {request.workshop.pk}", content_type="text/plain")


urlpatterns = [*app_urlpatterns, path("bench/floor/", floor, name="bench_floor")]
