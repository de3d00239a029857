from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_404_page_is_ours_and_translated(director_client):
    response = director_client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert 'class="topbar' in html


def test_403_page_explains_the_role_limit(technician_client):
    response = technician_client.get("/accounts/staff/")
    assert response.status_code == 403
    assert "Your role in this workshop does not allow this." in response.content.decode()


def test_500_page_renders_without_a_request_context(settings):
    settings.DEBUG = False
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("boom/", boom)]})
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()
