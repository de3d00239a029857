"""The name-word prefixes of each order's client, keyed by order recency (orders/search.py).

orders_order_name_prefix holds (workshop_id, prefix, order_id) for every prefix of 1..10
characters of every word of the client's folded name (Client.name_folded), one row per
order: a word typed in the search is then an exact key read newest order first, so the
newest matches of «Клиент 5» are found after a page's worth of index seeks whatever the
number of clients it matches (the pg_trgm / FTS5 name indexes find clients, and a
client's recency says nothing about its orders').

Kept by triggers on both databases (bulk_create and update() included): an order's rows
follow its client (inserted, changed, deleted), a client's rename rewrites its orders'
rows. A deleted row is found by recomputing the prefixes it was written with (the
client's current name), so the table needs no second index on order_id. SQLite's
triggers cannot use a CTE: the words are cut at the spaces with a small numbers table.

The search verifies every row it reads against the order and client themselves, so a
stale row (a table emptied without its triggers, e.g. a test database flush) costs a
seek and never gives a wrong match.

The prefix length (10) and the table's name are the ones orders/search.py uses; change
both together. On SQLite these triggers read orders_order and orders_client across, so a
later migration that changes either table wraps its operations in
orders/migrations/_sqlite_triggers.keep_triggers (a table remake would fail otherwise).
The order's trigger waits for a rename of its client in flight on PostgreSQL (0016).
"""

from django.db import migrations

PREFIX_MAX = 10
POSITIONS = 402  # name_folded is at most 401 characters (NAME_KEY_MAX_LENGTH)
TABLE = "orders_order_name_prefix"
NUMBERS = "orders_name_prefix_n"


def _sqlite_prefixes(name: str) -> tuple[str, str]:
    """(the prefix expression, the conditions) over numbers p (word start) and k (length)
    for the folded name `name`, whose words each follow one space."""
    prefix = f"substr({name}, p.n + 1, k.n)"
    where = (
        f"p.n < length({name}) AND substr({name}, p.n, 1) = ' '"
        f" AND k.n <= {PREFIX_MAX} AND p.n + k.n <= length({name})"
        f" AND instr({prefix}, ' ') = 0"
    )
    return prefix, where


def _sqlite() -> list[str]:
    c_prefix, c_where = _sqlite_prefixes("c.name_folded")
    old_prefix, old_where = _sqlite_prefixes("old.name_folded")
    new_prefix, new_where = _sqlite_prefixes("new.name_folded")
    numbers = f"{NUMBERS} p, {NUMBERS} k"
    insert_order = (
        f"INSERT OR IGNORE INTO {TABLE} (workshop_id, prefix, order_id)"
        f" SELECT new.workshop_id, {c_prefix}, new.id FROM orders_client c, {numbers}"
        f" WHERE c.id = new.client_id AND {c_where};"
    )
    delete_order = (
        f"DELETE FROM {TABLE} WHERE workshop_id = old.workshop_id AND order_id = old.id"
        f" AND prefix IN (SELECT {c_prefix} FROM orders_client c, {numbers}"
        f" WHERE c.id = old.client_id AND {c_where});"
    )
    return [
        f"CREATE TABLE {NUMBERS} (n INTEGER PRIMARY KEY)",
        f"INSERT INTO {NUMBERS} (n) VALUES " + ", ".join(f"({i})" for i in range(1, POSITIONS)),
        f"CREATE TABLE {TABLE} (workshop_id INTEGER NOT NULL, prefix TEXT NOT NULL,"
        " order_id INTEGER NOT NULL, PRIMARY KEY (workshop_id, prefix, order_id)) WITHOUT ROWID",
        f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON orders_order"
        f" WHEN new.client_id IS NOT NULL BEGIN {insert_order} END",
        f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON orders_order"
        f" WHEN old.client_id IS NOT NULL BEGIN {delete_order} END",
        f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF client_id, workshop_id ON orders_order"
        " WHEN old.client_id IS NOT new.client_id OR old.workshop_id IS NOT new.workshop_id"
        f" BEGIN {delete_order} {insert_order} END",
        f"CREATE TRIGGER {TABLE}_client_au AFTER UPDATE OF name_folded ON orders_client"
        " WHEN old.name_folded IS NOT new.name_folded BEGIN"
        f" DELETE FROM {TABLE} WHERE (workshop_id, prefix, order_id) IN"
        f" (SELECT o.workshop_id, {old_prefix}, o.id FROM orders_order o, {numbers}"
        f" WHERE o.client_id = old.id AND {old_where});"
        f" INSERT OR IGNORE INTO {TABLE} (workshop_id, prefix, order_id)"
        f" SELECT o.workshop_id, {new_prefix}, o.id FROM orders_order o, {numbers}"
        f" WHERE o.client_id = new.id AND {new_where};"
        " END",
        f"INSERT OR IGNORE INTO {TABLE} (workshop_id, prefix, order_id)"
        f" SELECT o.workshop_id, {c_prefix}, o.id"
        f" FROM orders_order o JOIN orders_client c ON c.id = o.client_id, {numbers}"
        f" WHERE {c_where}",
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}" for suffix in ("ai", "ad", "au", "client_au")
] + [f"DROP TABLE IF EXISTS {TABLE}", f"DROP TABLE IF EXISTS {NUMBERS}"]

POSTGRES = [
    f'CREATE TABLE {TABLE} (workshop_id bigint NOT NULL, prefix text COLLATE "C" NOT NULL,'
    " order_id bigint NOT NULL, PRIMARY KEY (workshop_id, prefix, order_id))",
    # Every distinct prefix of 1..10 characters of every word of a folded name.
    "CREATE FUNCTION orders_name_prefixes(name text) RETURNS SETOF text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
    " SELECT DISTINCT left(w, k) FROM regexp_split_to_table(name, ' ') AS w,"
    f" generate_series(1, {PREFIX_MAX}) AS k WHERE w <> '' AND k <= length(w) $$",
    f"""CREATE FUNCTION {TABLE}_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.client_id IS NOT NULL THEN
        DELETE FROM {TABLE} t USING orders_client c
        WHERE c.id = OLD.client_id AND t.workshop_id = OLD.workshop_id
          AND t.order_id = OLD.id AND t.prefix IN (SELECT orders_name_prefixes(c.name_folded));
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.client_id IS NOT NULL THEN
        INSERT INTO {TABLE} (workshop_id, prefix, order_id)
        SELECT NEW.workshop_id, p, NEW.id
        FROM orders_client c, orders_name_prefixes(c.name_folded) AS p
        WHERE c.id = NEW.client_id
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION {TABLE}_client() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM {TABLE} t USING orders_order o
      WHERE o.client_id = OLD.id AND t.workshop_id = o.workshop_id AND t.order_id = o.id
        AND t.prefix IN (SELECT orders_name_prefixes(OLD.name_folded));
      INSERT INTO {TABLE} (workshop_id, prefix, order_id)
      SELECT o.workshop_id, p, o.id FROM orders_order o, orders_name_prefixes(NEW.name_folded) AS p
      WHERE o.client_id = NEW.id
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$""",
    f"CREATE TRIGGER {TABLE}_aid AFTER INSERT OR DELETE ON orders_order"
    f" FOR EACH ROW EXECUTE FUNCTION {TABLE}_order()",
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE OF client_id, workshop_id ON orders_order"
    " FOR EACH ROW WHEN (OLD.client_id IS DISTINCT FROM NEW.client_id"
    " OR OLD.workshop_id IS DISTINCT FROM NEW.workshop_id)"
    f" EXECUTE FUNCTION {TABLE}_order()",
    f"CREATE TRIGGER {TABLE}_client_au AFTER UPDATE OF name_folded ON orders_client"
    " FOR EACH ROW WHEN (OLD.name_folded IS DISTINCT FROM NEW.name_folded)"
    f" EXECUTE FUNCTION {TABLE}_client()",
    f"INSERT INTO {TABLE} (workshop_id, prefix, order_id)"
    " SELECT o.workshop_id, p, o.id FROM orders_order o"
    " JOIN orders_client c ON c.id = o.client_id, orders_name_prefixes(c.name_folded) AS p"
    " ON CONFLICT DO NOTHING",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_aid ON orders_order",
    f"DROP TRIGGER IF EXISTS {TABLE}_au ON orders_order",
    f"DROP TRIGGER IF EXISTS {TABLE}_client_au ON orders_client",
    f"DROP FUNCTION IF EXISTS {TABLE}_order()",
    f"DROP FUNCTION IF EXISTS {TABLE}_client()",
    "DROP FUNCTION IF EXISTS orders_name_prefixes(text)",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_fill_issued_at"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": _sqlite()}),
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
