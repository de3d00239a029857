"""Order and client search: the term is classified, and only its index-backed lookups run.

What the counter types, and what each kind runs (every lookup is served by an index):

- an order number, `№123` / `#123`: the order number (the unique (workshop, number));
- bare digits, `4512345`: the order number (up to 9 digits), the phone's last digits and
  the serial's last digits (reversed-phone / reversed-serial indexes), the exact serial;
- a phone as written, `8 (912) 345-67-89`: the phone (normalised, exact) or its last
  digits;
- an e-mail, `olga@`: the e-mail's start (the one lookup without an index: clients of
  one workshop, a bounded read);
- one token with letters and digits, `SN123`, `T480`: the serial (exact and tail), the
  device's words (type, brand, model);
- words, `Клиент 5`, `iPhone`, `экран`: every word starting a word of the client's name,
  or of the device's type/brand/model, or of the order's problem, diagnosis and notes.

Indexes (orders/migrations/0011_search_indexes.py): on PostgreSQL pg_trgm GIN on the folded
name (serves `LIKE '% word%'`), GIN over to_tsvector ('russian' || 'simple') of the order
text and ('simple') of the device words, b-tree text_pattern_ops on reverse(phone) and
reverse(upper(serial)); on SQLite contentless FTS5 tables kept by triggers (the folded
name; the device words; the order text; each row led by a `ws<workshop id>` token) and
expression indexes on REVERSE(phone) / REVERSE(UPPER(serial)) (Django registers REVERSE
on its SQLite connections).

Why the lookups are materialised and capped (CAP ids each): a lookup matching a few
hundred rows hands its ids to the order filter, which reads only those clients' /
devices' orders through (workshop, client) / (workshop, device). A lookup matching more
is a common term ("iphone"): its matches are then tested on the newest orders
themselves, row by row while walking (workshop, -id) down, which stops at the first page
because a common term fills it quickly. Either way the cost follows the page, not the
number of clients: the words table tried in e165d60 collected every id of a common word
("клиент": all clients) before any order was read, and was slower than the scan it
replaced.

The client's name is the exception, because its matches can lie deep: «Клиент 5» matches
11,111 clients at 100k orders whose newest order is 40,000 orders down, so the walk
above read those 40,000 (1.65 times the 1k time on SQLite, 2.0 on PostgreSQL). Its
lookup (NameLookup) reads the order name-prefix table instead (every 1..PREFIX_MAX
prefix of every word of each order's client, keyed (workshop, prefix, order id); kept by
triggers, orders/migrations/0014_order_name_prefixes.py): the newest NAME_CAP matching
orders are found by index seeks from the newest order down, and the order filter starts
its walk at the newest match. A plain words table cannot do this (e165d60): a prefix
covers thousands of words, which cannot be read newest order first together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Reverse, StrIndex, Upper
from django.db.models.lookups import GreaterThan

from workshop.lib.phones import try_normalize_phone
from workshop.lib.text import LAST_CHAR, drop_unsafe, fold, fold_words

CAP = 500
WALK = 1000  # the newest orders a common term is tested on row by row
MAX_WORDS = 5
MIN_TAIL = 4  # digits of a phone or characters of a serial: fewer means too many matches
MAX_NUMBER_DIGITS = 9
_PHONE_LIKE = re.compile(r"[+\d\s()\-.]+")
_DIGITS = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[№#]\s*([0-9]{1,9})")
_TOKEN = re.compile(r"[^\s]+")

CLIENT_WORDS = "orders_client_words"
DEVICE_WORDS = "orders_device_words"
ORDER_WORDS = "orders_order_words"
TEXT_CONFIGS = ("russian", "simple")
# The order name-prefix table and its longest prefix (orders/migrations/0014_*): a longer
# word is looked up by its first PREFIX_MAX characters, then verified whole.
NAME_PREFIXES = "orders_order_name_prefix"
PREFIX_MAX = 10
NAME_CAP = 100  # a page (50) and what the member's view may leave out of it


@dataclass(frozen=True)
class Term:
    kind: str  # number, digits, phone, email, token, words, empty
    text: str
    words: tuple[str, ...] = ()
    digits: str = ""


def classify(q: str) -> Term:
    # NUL and control characters dropped, spaces collapsed; not folded yet (NFKC reads
    # "№" as "No").
    q = " ".join(drop_unsafe(q or "").split())
    if not q:
        return Term("empty", q)
    if m := _NUMBER.fullmatch(q):
        return Term("number", q, digits=m.group(1))
    if _DIGITS.fullmatch(q):
        return Term("digits", q, digits=q)
    digits = "".join(ch for ch in q if ch in "0123456789")
    if len(digits) >= MIN_TAIL and _PHONE_LIKE.fullmatch(q):
        return Term("phone", q, digits=digits)
    if "@" in q:
        return Term("email", fold(q))
    words = tuple(fold_words(q).split()[:MAX_WORDS])
    if not words:
        return Term("empty", q)
    if _TOKEN.fullmatch(q) and digits and len(words) >= 1 and any(c.isalpha() for c in q):
        return Term("token", q, words=words)
    return Term("words", q, words=words)


def _vendor(model) -> str:
    from django.db import router

    return connections[router.db_for_read(model)].vendor


def scoped_workshop():
    """The workshop of the current request's scope (django-scopes), if any."""
    from django_scopes import get_scope

    workshop = get_scope().get("workshop")
    return getattr(workshop, "pk", workshop) if workshop not in (None, True, False) else None


# --- conditions -------------------------------------------------------------------------


class _Raw(Expression):
    """A boolean SQL condition built from compiled column references, so it works under
    any table alias (also inside the search's id subquery, where Django renames tables)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, template: Callable[[list[str]], str], columns, params):
        super().__init__()
        self.template, self.columns, self.params = template, list(columns), list(params)

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        compiled, params = [], []
        for column in self.columns:
            sql, p = compiler.compile(column)
            compiled.append(sql)
            params.extend(p)
        return self.template(compiled), [*params, *self.params]


def fts_has(table: str, rowid: str, match: str) -> _Raw:
    """SQLite: the row whose `rowid` column is in FTS5 `table` matching `match`."""
    return _Raw(
        lambda c: f"EXISTS (SELECT 1 FROM {table} WHERE {table} MATCH %s AND rowid = {c[0]})",
        [F(rowid)],
        [match],
    )


WORDS_FUNCTION = "orders_search_words"


def plain_words(text: str | None) -> list[str]:
    """fold_words, then without diacritics ("й" as "и", "ё" as "е"): the words as the
    FTS5 tables' tokenizer (unicode61 remove_diacritics 2) keeps them."""
    decomposed = unicodedata.normalize("NFKD", fold_words(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).split()


def _words_match(text, query) -> bool:
    """Every word of `query` starts a word of `text` (the FTS5 prefix query, per row)."""
    words = plain_words(text)
    return all(any(w.startswith(q) for w in words) for q in (query or "").split())


def register_sqlite_function(connection) -> None:
    """The per-row test the walk over the newest orders uses on SQLite (one Python call
    per row read, instead of an FTS5 prefix query per row, which merges every word with
    that prefix each time)."""
    connection.ensure_connection()
    connection.connection.create_function(WORDS_FUNCTION, 2, _words_match, deterministic=True)


def words_test(columns, words) -> _Raw:
    """SQLite: every word starts a word of these columns (the function above)."""
    return _Raw(
        lambda c: WORDS_FUNCTION + "(" + " || ' ' || ".join(c) + ", %s)",
        [F(col) for col in columns],
        [" ".join(plain_words(" ".join(words)))],
    )


def _fts_match(workshop_id, words) -> str:
    return " AND ".join([f"ws{int(workshop_id)}", *(f'"{w}"*' for w in words)])


def _tsquery(words) -> str:
    return " & ".join(f"{w}:*" for w in words)


def _pg_text(columns, configs):
    def template(c):
        text = " || ' ' || ".join(c)
        vector = " || ".join(f"to_tsvector('{cfg}'::regconfig, {text})" for cfg in configs)
        query = " || ".join(f"to_tsquery('{cfg}'::regconfig, %s)" for cfg in configs)
        return f"({vector}) @@ ({query})"

    return template


def pg_text_match(columns, words, configs) -> _Raw:
    """PostgreSQL: the same expression as the GIN index over these columns."""
    return _Raw(
        _pg_text(columns, configs), [F(c) for c in columns], [_tsquery(words)] * len(configs)
    )


ORDER_TEXT = ("problem", "diagnosis", "notes")
DEVICE_TEXT = ("device_type", "brand", "model")


def name_condition(words, vendor: str) -> Q:
    """Every word starts a word of the folded name: " клиент" in " клиент 5" (both sides
    folded, so a literal substring test). PostgreSQL: LIKE, which the pg_trgm index
    serves; SQLite: INSTR, faster there than LIKE's ASCII case folding."""
    if vendor == "sqlite":
        return Q(*[Q(GreaterThan(StrIndex("name_folded", Value(" " + w)), 0)) for w in words])
    return Q(*[Q(name_folded__contains=" " + w) for w in words])


def _tail_filter(qs, expression, text: str, vendor: str):
    """Rows whose `expression` (a reversed column) starts with `text` reversed."""
    rev = text[::-1]
    qs = qs.annotate(search_tail=expression).filter(search_tail__startswith=rev)
    if vendor == "sqlite":
        # SQLite's LIKE folds ASCII case, so no index serves it; the range does.
        qs = qs.filter(search_tail__gte=rev, search_tail__lt=rev + LAST_CHAR)
    return qs


# --- lookups ----------------------------------------------------------------------------


@dataclass
class Lookup:
    """One index-backed way an order matches: ids of clients, devices or orders."""

    field: str  # the order's column the ids are of: client_id, device_id or id
    capped: Callable[[int], list[int]]  # up to n matching ids
    walk: Callable[[], Q]  # the same test on an order row, for common terms
    every: Callable[[], object]  # every matching id, as a subquery
    bound: int | None = None  # the newest matching order's id (0: none), when known

    def order_condition(self, pivot: _Pivot) -> Q:
        """A few hundred matches: their ids. More (a common term): the newest WALK orders
        are tested row by row (the page is usually full before the walk ends, and then
        nothing else runs), older ones against the subquery of every match, which the
        database evaluates only if the walk reaches them (matches clustered in the past:
        "клиент 5" among names numbered in order)."""
        ids = self.capped(CAP + 1)
        if not ids:
            self.bound = 0
        elif self.field == "id" and len(ids) <= CAP:
            self.bound = max(ids)
        if len(ids) <= CAP:
            return Q(**{f"{self.field}__in": ids})
        if pivot.vendor != "sqlite":
            # PostgreSQL plans the test per row as a hashed subplan anyway (and would
            # build it twice): the subquery alone, its plan chosen on the statistics.
            return Q(**{f"{self.field}__in": self.every()})
        newest = pivot()
        return (Q(id__gte=newest) & self.walk()) | (
            Q(id__lt=newest) & Q(**{f"{self.field}__in": self.every()})
        )


def _ids(qs, n) -> list[int]:
    return list(qs.values_list("pk", flat=True)[:n])


def _raw_ids(model, sql, params, n) -> list[int]:
    from django.db import router

    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, n])
        return [row[0] for row in cursor.fetchall()]


def _queryset_lookup(field: str, qs) -> Lookup:
    """A lookup given as a queryset of clients or devices (one workshop's)."""
    return Lookup(
        field,
        lambda n: _ids(qs, n),
        lambda: Q(Exists(qs.filter(pk=OuterRef(field)))),
        lambda: qs.values("pk"),
    )


def client_lookups(term: Term, workshop, *, alive: bool, region: str) -> list[Lookup]:
    from orders.models import Client

    clients = Client.objects.filter(workshop=workshop)
    if alive:
        clients = clients.alive()
    vendor = _vendor(Client)
    found = []
    if term.kind in ("digits", "phone"):
        phone = try_normalize_phone(term.text, region) if term.kind == "phone" else None
        if phone is None and term.kind == "digits" and len(term.digits) >= 10:
            phone = try_normalize_phone(term.text, region)
        if phone:
            found.append(_queryset_lookup("client_id", clients.filter(phone=phone)))
        elif len(term.digits) >= MIN_TAIL:
            tail = _tail_filter(clients, Reverse("phone"), term.digits, vendor)
            found.append(_queryset_lookup("client_id", tail))
    if term.kind == "email":
        found.append(_queryset_lookup("client_id", clients.filter(email__istartswith=term.text)))
    if term.kind == "words":
        found.append(_name_lookup(clients, term.words, workshop, alive, vendor))
    return found


def _name_lookup(clients, words, workshop, alive, vendor) -> NameLookup:
    by_name = clients.filter(name_condition(words, vendor))
    return NameLookup(workshop.pk, tuple(words), alive, vendor, by_name)


@dataclass
class NameLookup:
    """Every word starts a word of the client's name, read newest order first from the
    order name-prefix table (orders/migrations/0014_order_name_prefixes.py).

    The words' keys (a word, or its first PREFIX_MAX characters) are intersected by a
    leapfrog walk: from an upper bound, each key's newest order at or below it (one
    index seek each); if they all agree it is a candidate, else the lowest of them is
    the next bound. So «Клиент 5» ("клиент": every order; "5": a ninth of them, 40,000
    orders deep) costs two seeks a match, not a read down to where the matches are.
    Every candidate is verified on the order and its client (the literal word-start
    test, the deleted-client rule), so the table only has to hold every match."""

    workshop_id: int
    words: tuple[str, ...]
    alive: bool
    vendor: str
    by_name: object  # the matching clients, for the row-by-row test of older orders
    bound: int | None = None  # the newest matching order's id (0: none), once known
    common: bool = False  # more than NAME_CAP matches

    def _verify(self, order_id: str) -> tuple[str, list]:
        find = "instr" if self.vendor == "sqlite" else "strpos"
        sql = (
            "EXISTS (SELECT 1 FROM orders_order o JOIN orders_client c ON c.id = o.client_id"
            f" WHERE o.id = {order_id} AND o.workshop_id = %s"
            + "".join(f" AND {find}(c.name_folded, %s) > 0" for _ in self.words)
            + (" AND NOT c.is_deleted" if self.alive else "")
            + ")"
        )
        return sql, [self.workshop_id, *(" " + w for w in self.words)]

    def walk(self, n: int) -> tuple[str, list]:
        """The leapfrog walk, `WITH RECURSIVE walk(x, m, found)`: x a bound, m every
        key's newest order at or below it (a candidate when m = x), found the verified
        matches so far; it stops after n of them or when a key has no older order."""
        keys = list(dict.fromkeys(w[:PREFIX_MAX] for w in self.words))
        step = "CASE WHEN m = x THEN x - 1 ELSE m END"

        def seeks(below: str) -> tuple[str, list]:
            sql = [
                f"coalesce((SELECT max(order_id) FROM {NAME_PREFIXES} WHERE workshop_id = %s"
                f" AND prefix = %s AND order_id <= {below}), 0)"
                for _ in keys
            ]
            params = [p for key in keys for p in (self.workshop_id, key)]
            if len(sql) == 1:
                return sql[0], params
            least = "min" if self.vendor == "sqlite" else "least"  # SQLite: the scalar min
            return f"{least}({', '.join(sql)})", params

        start, start_params = seeks(str(2**63 - 1))
        again, again_params = seeks(step)
        verified, verified_params = self._verify("x")
        sql = (
            "WITH RECURSIVE walk(x, m, found) AS ("
            f" SELECT {2**63 - 1}, {start}, 0"
            f" UNION ALL SELECT {step}, {again},"
            f" found + CASE WHEN m = x AND {verified} THEN 1 ELSE 0 END"
            " FROM walk WHERE m > 0 AND found < %s)"
        )
        return sql, [*start_params, *again_params, *verified_params, n]

    def newest(self, n: int) -> list[int]:
        """The ids of the newest n matching orders (any branch, deleted orders too: the
        order filter applies the member's view), newest first."""
        from orders.models import Order

        walk, params = self.walk(n)
        verified, verified_params = self._verify("x")
        sql = f"{walk} SELECT x FROM walk WHERE m = x AND {verified} ORDER BY x DESC"
        return _raw_ids(Order, sql, [*params, *verified_params], n)

    def order_condition(self, pivot: _Pivot) -> Q:
        """Up to NAME_CAP matches: their ids. More: those ids for orders at least as new
        as the NAME_CAP-th, and older orders tested row by row on their client (read
        only when a page goes that deep); search_orders then starts the walk over the
        orders at the newest match."""
        ids = self.newest(NAME_CAP + 1)
        self.bound = ids[0] if ids else 0
        self.common = len(ids) > NAME_CAP
        if not self.common:
            return Q(id__in=ids)
        oldest = ids[NAME_CAP - 1]
        listed = Q(id__gte=oldest, id__in=ids[:NAME_CAP])
        return listed | (
            Q(id__lt=oldest) & Q(Exists(self.by_name.filter(pk=OuterRef("client_id"))))
        )


def device_lookups(term: Term, workshop) -> list[Lookup]:
    from orders.models import Device

    devices = Device.objects.filter(workshop=workshop)
    vendor = _vendor(Device)
    found = []
    if term.kind in ("digits", "token"):
        serial = term.text
        if len(serial) >= MIN_TAIL:
            tail = _tail_filter(devices, Reverse(Upper("serial")), serial.upper(), vendor)
            found.append(_queryset_lookup("device_id", tail))
        else:
            found.append(_queryset_lookup("device_id", devices.filter(serial=serial)))
    if term.kind in ("token", "words"):
        words = term.words
        if vendor == "sqlite":
            sql = f"SELECT rowid FROM {DEVICE_WORDS} WHERE {DEVICE_WORDS} MATCH %s"
            params = [_fts_match(workshop.pk, words)]
            found.append(
                Lookup(
                    "device_id",
                    lambda n, sql=sql, params=params: _raw_ids(Device, sql, params, n),
                    lambda words=words: Q(
                        Exists(
                            devices.filter(words_test(DEVICE_TEXT, words), pk=OuterRef("device_id"))
                        )
                    ),
                    lambda sql=sql, params=params: RawSQL(sql, params),
                )
            )
        else:
            qs = devices.filter(pg_text_match(DEVICE_TEXT, words, ("simple",)))
            found.append(_queryset_lookup("device_id", qs))
    return found


def order_text_lookup(term: Term, workshop) -> list[Lookup]:
    from orders.models import Order

    if term.kind != "words":
        return []
    words = term.words
    if _vendor(Order) == "sqlite":
        match = _fts_match(workshop.pk, words)
        sql = f"SELECT rowid FROM {ORDER_WORDS} WHERE {ORDER_WORDS} MATCH %s"
        return [
            Lookup(
                "id",
                lambda n: _raw_ids(Order, sql, [match], n),
                lambda: Q(words_test(ORDER_TEXT, words)),
                lambda: RawSQL(sql, [match]),
            )
        ]
    condition = pg_text_match(ORDER_TEXT, words, TEXT_CONFIGS)
    orders = Order.objects.filter(workshop=workshop).filter(condition)
    return [
        Lookup("id", lambda n: _ids(orders, n), lambda: Q(condition), lambda: orders.values("pk"))
    ]


class _Pivot:
    """The id of the workshop's WALK-th newest order (0 if it has fewer): one query, the
    first time a common term asks for it."""

    def __init__(self, qs, workshop):
        self.qs, self.workshop, self.value = qs, workshop, None
        self.vendor = _vendor(qs.model)

    def __call__(self) -> int:
        if self.value is None:
            from django.db import router

            from orders.models import Order

            if self.vendor == "sqlite":
                # Named, so a planner without statistics for a newer index on the
                # workshop (created by a migration after the last ANALYZE) does not read
                # every order of the workshop through it and sort them: measured 0.2 ms
                # against 240-300 ms at 100k orders when order_created_idx was new.
                sql = (
                    "SELECT id FROM orders_order INDEXED BY order_search_idx"
                    " WHERE workshop_id = %s ORDER BY id DESC LIMIT 1 OFFSET %s"
                )
                with connections[router.db_for_read(Order)].cursor() as cursor:
                    cursor.execute(sql, [self.workshop.pk, WALK])
                    found = [row[0] for row in cursor.fetchall()]
            else:
                newest = Order.objects.filter(workshop=self.workshop).order_by("-id")
                found = list(newest.values_list("id", flat=True)[WALK : WALK + 1])
            self.value = found[0] if found else 0
        return self.value


def search_orders(qs, q: str, workshop, *, with_deleted_clients: bool = False):
    """Orders matching the term (see the module's docstring), in every tab."""
    term = classify(q)
    if _vendor(qs.model) == "sqlite":
        from django.db import router

        register_sqlite_function(connections[router.db_for_read(qs.model)])
    conditions = [Q(pk__in=[])]
    if term.kind in ("number", "digits") and 0 < len(term.digits) <= MAX_NUMBER_DIGITS:
        conditions.append(Q(number=int(term.digits)))
    if term.kind != "number":
        lookups = [
            *client_lookups(
                term, workshop, alive=not with_deleted_clients, region=workshop.country
            ),
            *device_lookups(term, workshop),
            *order_text_lookup(term, workshop),
        ]
        pivot = _Pivot(qs, workshop)
        conditions.extend(lookup.order_condition(pivot) for lookup in lookups)
        bounds = [lookup.bound for lookup in lookups]
        by_lookups_alone = len(conditions) == len(lookups) + 1  # no order number
        common = any(isinstance(lookup, NameLookup) and lookup.common for lookup in lookups)
        if common and by_lookups_alone and None not in bounds:
            # No order newer than the newest match of every lookup matches: the walk
            # over the orders starts there, not at the newest order ("клиент 5" is
            # 40,000 orders deep at 100k).
            return qs.filter(reduce(or_, conditions), id__lte=max(bounds))
    return qs.filter(reduce(or_, conditions))


def search_clients(qs, term_text: str, region: str):
    """Clients whose name has words starting with every word typed (any order), or whose
    phone matches (written in any form, or by its last digits), or whose e-mail starts
    with the term. A phone-like term tests only the phone (its index), never the names."""
    term = classify(term_text)
    vendor = _vendor(qs.model)
    if term.kind in ("digits", "phone"):
        phone = try_normalize_phone(term.text, region)
        if phone:
            return qs.filter(phone=phone)
        if len(term.digits) >= MIN_TAIL:
            return _tail_filter(qs, Reverse("phone"), term.digits, vendor)
        return qs.none()
    if term.kind == "email":
        return qs.filter(email__istartswith=term.text)
    if term.words:
        qs = qs.filter(name_condition(term.words, vendor))
        workshop_id = scoped_workshop()
        if vendor == "sqlite" and workshop_id is not None:
            # The FTS5 words of that workshop's names narrow the rows the test reads.
            match = _fts_match(workshop_id, term.words)
            qs = qs.filter(
                pk__in=RawSQL(
                    f"SELECT rowid FROM {CLIENT_WORDS} WHERE {CLIENT_WORDS} MATCH %s", [match]
                )
            )
        return qs
    return qs.none()
