"""Home page against a trivial view (/healthz), as a ratio so machine speed cancels out."""

from __future__ import annotations

from common import measure, report, setup_django

if __name__ == "__main__":
    setup_django()
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    client = Client()
    with scopes_disabled():
        client.force_login(User.objects.get(email="demo@example.com"))
    assert client.get("/").status_code == 200
    trivial = measure(lambda: client.get("/healthz"))
    home = measure(lambda: client.get("/"))
    report("healthz", trivial)
    report("home", home)
    ratio = sorted(home)[len(home) // 2] / sorted(trivial)[len(trivial) // 2]
    print(f"home_over_healthz_ratio: {ratio:.1f}")  # noqa: T201
