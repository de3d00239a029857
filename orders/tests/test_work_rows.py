"""The Work list's rows, rendered in Python (orders.display.work_rows_html).

The rows are compared with what the template loop they replaced rendered for the same
orders, so the markup, the translations and the escaping stay as they were.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone, translation

from orders import display, extensions, selectors, services
from orders.models import Order
from orders.tests.factories import ClientFactory, OrderFactory
from orders.workflow import Status

pytestmark = pytest.mark.django_db

EVIL = "<img src=x onerror=alert(1)>"

# The loop of templates/orders/work.html before the rows were rendered in Python.
OLD_ROWS = """{% load i18n %}{% for o in rows %}
<tr class="is-link" data-href="{% url 'orders:card' o.number %}">
<td><a href="{% url 'orders:card' o.number %}"><strong>{{ o.number }}</strong></a></td>
<td class="hide-sm nowrap">{{ o.created_at|date:"SHORT_DATE_FORMAT" }}</td>
<td>{% if o.client %}{% if not o.client.is_deleted or clients_delete %}<a href="{% url 'orders:client' o.client_id %}" class="client-link">{{ o.client.name|default:"—"|truncatechars:40 }}</a>{% else %}{{ o.client.name|truncatechars:40 }}{% endif %}<br><span class="muted nowrap">{{ o.client.phone_display }}</span>{% else %}<span class="muted">{% translate "walk-in" %}</span>{% endif %}</td>
<td>{% if o.visit_at or o.address %}<span class="visit nowrap">{% if o.visit_at %}<strong>{{ o.visit_at|date:"SHORT_DATETIME_FORMAT" }}</strong>{% endif %}{% if o.visit_at and o.address %} · {% endif %}{{ o.address|truncatechars:60 }}</span><br>{% endif %}{% if o.device %}{{ o.device|truncatechars:40 }}<br>{% endif %}{% if o.problem or o.device or o.visit_at or o.address %}<span class="muted">{{ o.problem|truncatechars:60 }}</span>{% else %}<span class="muted">—</span>{% endif %}</td>
<td>{% if q %}<span class="status status--{{ o.status }}">{{ o.get_status_display }}</span><br>{% endif %}<span class="muted nowrap" title="{{ o.status_changed_at }}">{{ o.status_changed_at|timesince:now }}</span></td>
<td>{{ o.assignee.user.get_short_name|default:"—" }}</td>
<td class="nowrap{% if o.overdue_days %} overdue{% endif %}">{% if o.due_date %}{{ o.due_date|date:"SHORT_DATE_FORMAT" }}{% if o.overdue_days %}<br><small>{% blocktranslate count days=o.overdue_days %}{{ days }} day late{% plural %}{{ days }} days late{% endblocktranslate %}</small>{% endif %}{% else %}<span class="muted">—</span>{% endif %}</td>
<td class="num">{{ o.total|floatformat:"2g" }}</td>
{% for c, cell in o.extra_cells %}<td{% if c.numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}
</tr>{% endfor %}"""


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.fixture
def varied(workshop, branch, manager):
    """Orders that take every branch of a row: walk-in, deleted and hostile client,
    a call-out's visit and address, long texts, overdue, money with thousands."""
    today = timezone.localdate()
    evil = ClientFactory(workshop=workshop, name=EVIL, phone="+79123456789")
    gone = ClientFactory(workshop=workshop, name="Удалённый клиент", is_deleted=True)
    OrderFactory(workshop=workshop, branch=branch, client=evil, problem=EVIL * 5)
    OrderFactory(
        workshop=workshop,
        branch=branch,
        client=gone,
        due_date=today - datetime.timedelta(days=3),
        assignee=manager,
        lines_total=Decimal("12345.60"),
    )
    OrderFactory(
        workshop=workshop,
        branch=branch,
        client=None,
        device=None,
        address="ул. Ленина, " + "д. 1 " * 20,
        visit_at=timezone.now() + datetime.timedelta(hours=3),
        due_date=today - datetime.timedelta(days=1),
        problem="",
    )
    OrderFactory(
        workshop=workshop,
        branch=branch,
        client=ClientFactory(workshop=workshop, name=""),
        status=Status.IN_WORK,
        due_date=today + datetime.timedelta(days=2),
    )


def _both(request_factory, membership, *, search: bool, clients_delete: bool, language: str):
    request = request_factory.get("/")
    request.membership = membership
    request.workshop = membership.workshop
    # The template rendered model instances; the list now reads WorkRows.
    orders = list(
        Order.objects.filter(workshop=membership.workshop)
        .select_related("client", "device", "assignee__user")
        .order_by("-id")
    )
    rows = selectors.list_rows(Order.objects.filter(workshop=membership.workshop), None).rows
    assert [r.pk for r in rows] == [o.pk for o in orders]
    columns = extensions.work_columns(request, None, search=True)
    for some in (orders, rows):
        extensions.attach_work_cells(request, columns, some)
        selectors.mark_overdue(some, timezone.localdate())
    now = timezone.now()
    with translation.override(language):
        old = Engine.get_default().from_string(OLD_ROWS)
        context = {"rows": orders, "q": "x" if search else "", "now": now}
        before = old.render(Context({**context, "clients_delete": clients_delete}))
        after = display.work_rows_html(
            rows, columns=columns, search=search, clients_delete=clients_delete, now=now
        )
    return _squeeze(before), _squeeze(after)


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("search", [False, True])
@pytest.mark.parametrize("clients_delete", [False, True])
def test_work_rows_render_as_the_template_did(
    rf, varied, director, language, search, clients_delete
):
    before, after = _both(
        rf, director, search=search, clients_delete=clients_delete, language=language
    )
    assert after == before
    assert EVIL not in after and "&lt;img src=x onerror=alert(1)&gt;" in after


def test_work_rows_russian_late_days(rf, varied, director):
    _before, after = _both(rf, director, search=False, clients_delete=False, language="ru")
    assert "просрочен на 3 дня" in after and "просрочен на 1 день" in after


def test_work_list_and_card_escape_a_hostile_client_name(workshop, branch, manager_client):
    client = ClientFactory(workshop=workshop, name=EVIL)
    order = OrderFactory(workshop=workshop, branch=branch, client=client)
    for url in (
        reverse("orders:work") + "?tab=queue",
        reverse("orders:work") + "?q=img",
        reverse("orders:card", kwargs={"order_number": order.number}),
    ):
        html = manager_client.get(url).content.decode()
        assert EVIL not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url
    rows = manager_client.get(
        reverse("orders:work") + "?tab=queue&after=999999", headers={"HX-Request": "true"}
    ).content.decode()
    assert EVIL not in rows and "&lt;img" in rows


def test_work_load_more_fragment_is_the_rows_only(workshop, branch, manager_client):
    for _ in range(selectors.WORK_PAGE_SIZE + 3):
        OrderFactory(workshop=workshop, branch=branch)
    first = manager_client.get(reverse("orders:work"), {"tab": "queue"})
    assert first.context["more"]
    after = first.context["next_after"]
    more = manager_client.get(
        reverse("orders:work"), {"tab": "queue", "after": after}, headers={"HX-Request": "true"}
    )
    html = more.content.decode()
    assert "<html" not in html and html.count('<tr class="is-link"') == 3
    oldest = Order.objects.filter(workshop=workshop).order_by("id").first()
    card = reverse("orders:card", kwargs={"order_number": oldest.number})
    assert f'<tr class="is-link" data-href="{card}">' in html


def test_work_rows_urls_are_the_reversed_ones():
    card = display._Urls("orders:card", "order_number")
    client = display._Urls("orders:client", "client_id")
    for n in (1, 9, 99, 1990, 123456789):
        assert card(n) == reverse("orders:card", kwargs={"order_number": n})
        assert client(n) == reverse("orders:client", kwargs={"client_id": n})


def test_truncated_is_truncatechars():
    from django.template.defaultfilters import truncatechars

    for text in ("", "short", "x" * 40, "y" * 41, "é" * 50, "e\u0301" * 45, EVIL * 3):
        assert display.truncated(text, 40) == truncatechars(text, 40)


def test_templates_are_cached_in_production():
    """Django wraps the loaders in its cached loader when TEMPLATES names none (and
    template_partials wraps that): each template is parsed once per process."""
    from django.template import engines

    chain, loaders = [], list(engines["django"].engine.template_loaders)
    while loaders:
        loader = loaders.pop(0)
        chain.append(type(loader).__module__)
        loaders.extend(getattr(loader, "loaders", []))
    assert chain[:2] == ["template_partials.loader", "django.template.loaders.cached"]


@pytest.mark.parametrize("tab", ["queue", "cash_desk", "ready_notify"])
def test_work_rows_read_no_deferred_column(tab, workshop, branch, manager, director_client):
    """The list reads only WORK_ROW_COLUMNS: neither the rows nor the cash desk's columns
    touch another column (that would be one query a row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = {"queue": Status.QUEUE, "cash_desk": Status.ISSUED}.get(tab, Status.READY_NOTIFY)
    for _ in range(3):
        OrderFactory(workshop=workshop, branch=branch, status=status, assignee=manager)
    director_client.get(reverse("orders:work"), {"tab": tab})
    counts = []
    for extra in (0, 20):
        for _ in range(extra):
            OrderFactory(workshop=workshop, branch=branch, status=status, assignee=manager)
        with CaptureQueriesContext(connection) as ctx:
            response = director_client.get(reverse("orders:work"), {"tab": tab})
        assert len(response.context["rows"]) == 3 + extra
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_journal_rows_render_as_the_include_did(repair_order, manager, workshop):
    """The card's journal in Python (display.journal_rows_html) against the template
    include it replaced, with a hostile value and an entry by nobody."""
    from orders.models import JournalEntry
    from orders.views.card import describe

    services.order_update(
        order=repair_order, data={"notes": EVIL}, version=repair_order.version, by=manager
    )
    JournalEntry.objects.create(
        workshop=workshop, order=repair_order, version=1, by=None, action="changed",
        field="notes", old_value="", new_value="x",
    )  # fmt: skip
    old = Engine.get_default().from_string(
        '{% for e in entries %}<li class="journal__entry">'
        '{% include "orders/_journal_entry.html" %}</li>{% endfor %}'
    )
    for language in ("en", "ru"):
        with translation.override(language):
            # The card's page of entries: who made each by name (the template reads the
            # member and user instead).
            entries = describe(selectors.journal_page(repair_order, None).rows)
            before = old.render(Context({"entries": entries}))
            after = display.journal_rows_html(entries)
        assert _squeeze(after) == _squeeze(before)
        assert EVIL not in after


@pytest.mark.parametrize("language", ["en", "ru"])
def test_since_is_timesince(language):
    """The rows' "in status for" (display._Since) says what Django's timesince says,
    on both sides of its four-week switch to months and in the future."""
    from django.utils.timesince import timesince

    now = timezone.now()
    seconds = [*range(-120, 4000, 7), *range(3000, 60 * 86400, 3_607), 28 * 86400 - 1]
    seconds += [28 * 86400, 29 * 86400 + 5, 400 * 86400]
    with translation.override(language):
        since = display._Since(now)
        for s in seconds:
            value = now - datetime.timedelta(seconds=s, microseconds=s % 7 * 1000)
            assert since(value) == timesince(value, now), s


OLD_TABS = """{% load i18n %}
  <a class="tab tab--all{% if not q and tab == all_open %} tab--current{% endif %}{% if not open_count %} tab--empty{% endif %}"
     href="?tab={{ all_open }}{% if branch %}&amp;branch={{ branch.pk }}{% endif %}{% if mine %}&amp;mine=1{% endif %}" id="tab-all"
     {% if not q and tab == all_open %}aria-current="page"{% endif %}>{% translate "All open" %} <span class="badge{% if open_count %} badge--on{% endif %}">{{ open_count }}</span></a>
  {% for t, n in tabs %}
    <a class="tab{% if not q and t == tab %} tab--current{% endif %}{% if not n %} tab--empty{% endif %}"
       href="?tab={{ t }}{% if branch %}&amp;branch={{ branch.pk }}{% endif %}{% if mine %}&amp;mine=1{% endif %}"
       {% if not q and t == tab %}aria-current="page"{% endif %}>
      {{ t.label }} <span class="badge{% if n %} badge--on{% endif %}">{{ n }}</span>
    </a>
  {% endfor %}"""


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    ("tab", "q", "mine", "with_branch"),
    [("queue", "", False, False), ("all", "", True, True), ("ready_notify", "x", False, True)],
)
def test_work_tabs_render_as_the_template_did(branch, language, tab, q, mine, with_branch):
    from orders.views.work import ALL_OPEN
    from orders.workflow import TAB_ORDER, Tab

    def squeeze(text):
        # Whitespace beside the tags is the template's layout, not the page's text.
        return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", str(text))).strip()

    current = ALL_OPEN if tab == ALL_OPEN else Tab(tab)
    tabs = [(t, i % 3 * 7) for i, t in enumerate(TAB_ORDER)]
    open_count = 5
    keep = (f"&branch={branch.pk}" if with_branch else "") + ("&mine=1" if mine else "")
    with translation.override(language):
        before = Engine.get_default().from_string(OLD_TABS).render(
            Context({"tabs": tabs, "tab": current, "q": q, "all_open": ALL_OPEN,
                     "open_count": open_count, "mine": mine,
                     "branch": branch if with_branch else None})
        )  # fmt: skip
        after = display.work_tabs_html(
            tabs,
            current=None if q else current,
            all_open=ALL_OPEN,
            open_count=open_count,
            query=keep.replace("&", "&amp;"),
        )
    assert squeeze(after) == squeeze(before)
