from django.http import HttpResponse
from django.urls import path


def mystery(request, mystery_id: int) -> HttpResponse:
    return HttpResponse("?")


urlpatterns = [path("mystery/<int:mystery_id>/", mystery, name="mystery")]
