"""Documents: a render through the worker process, against a trivial worker round trip,
and the PDF of a one-page act; p50/p95 in milliseconds, and the ratios.

The worker is started once and reused, so a render costs a round trip plus Jinja and
nh3, not a Python start; a PDF is WeasyPrint's layout of one A4 page.
"""

from __future__ import annotations

from common import measure, report, setup_django

if __name__ == "__main__":
    setup_django()
    from django.utils import translation

    from accounts.models import Workshop
    from documents import rendering, variables
    from documents.samples import sample_context
    from documents.selectors import builtin_source
    from documents.types import TYPES

    translation.activate("ru")
    doc = TYPES["work_act"]
    context = variables.pick(
        sample_context(Workshop(name="Сервис-центр", currency="RUB"), doc), doc.uses
    )
    source = builtin_source("work_act", "ru")
    pool = rendering.pool()
    pool.warm()
    ping = measure(lambda: pool.run({"op": "ping"}, 2))
    render = measure(lambda: rendering.render_body(source, context))
    body = rendering.render_body(source, context).html
    page = rendering.page(body, paper="a4", title=str(doc.title), preview=True)
    pdf = measure(lambda: rendering.make_pdf(page), repeat=30, warmup=3)
    check = measure(
        lambda: rendering.check_source(source, variables.schema_for(doc.uses), [context]),
        repeat=100,
    )
    # The whole full-screen print request of a demo order, against /healthz.
    from django.core.management import call_command
    from django.test import Client
    from django_scopes import scopes_disabled

    from accounts.models import User
    from orders.models import Order

    call_command("seed_demo", verbosity=0)
    client = Client()
    with scopes_disabled():
        user = User.objects.get(email="demo@example.com")
        order = Order.objects.filter(workshop__memberships__user=user, device__isnull=False).first()
    client.force_login(user)
    url = f"/documents/orders/{order.number}/acceptance/print/?source=default"
    assert client.get(url).status_code == 200, client.get(url).status_code
    healthz = measure(lambda: client.get("/healthz"), repeat=100)
    view = measure(lambda: client.get(url), repeat=100)
    report("healthz", healthz)
    report("print_view", view)
    report("worker_ping", ping)
    report("document_render", render)
    report("document_check", check)
    report("document_pdf", pdf)
    p50 = lambda samples: sorted(samples)[len(samples) // 2]  # noqa: E731
    print(f"render_over_ping_ratio: {p50(render) / p50(ping):.1f}")  # noqa: T201
    print(f"pdf_over_render_ratio: {p50(pdf) / p50(render):.1f}")  # noqa: T201
    print(f"print_view_over_healthz_ratio: {p50(view) / p50(healthz):.1f}")  # noqa: T201
    print(f"workers_started: {pool.started}")  # noqa: T201
    pool.close()
