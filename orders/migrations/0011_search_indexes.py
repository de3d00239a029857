"""Indexes for the search (orders/search.py), per database.

PostgreSQL: pg_trgm GIN on the folded client name (serves `LIKE '% word%'`, a word
start); GIN over to_tsvector('russian') || to_tsvector('simple') of the order's problem,
diagnosis and notes, and over to_tsvector('simple') of the device's type, brand and
model; text_pattern_ops b-trees on reverse(phone) and reverse(upper(serial)) for the
last digits.

SQLite: contentless FTS5 tables of the folded client name, the device words and the
order text, kept by triggers (bulk_create and update() included), each row led by a
`ws<workshop id>` token; expression indexes on REVERSE(phone) and REVERSE(UPPER(serial)).
REVERSE is the function Django registers on its SQLite connections, so these two tables
can be written only through Django (the sqlite3 shell would answer "no such function").

The expressions here are the ones orders/search.py writes; change both together.
"""

from django.db import migrations

ORDER_TEXT = "problem || ' ' || diagnosis || ' ' || notes"
DEVICE_TEXT = "device_type || ' ' || brand || ' ' || model"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX client_name_trgm_idx ON orders_client USING gin (name_folded gin_trgm_ops)",
    "CREATE INDEX client_phone_tail_idx ON orders_client"
    " (workshop_id, reverse(phone) text_pattern_ops)",
    "CREATE INDEX device_serial_tail_idx ON orders_device"
    " (workshop_id, reverse(upper(serial)) text_pattern_ops)",
    "CREATE INDEX device_words_idx ON orders_device"
    f" USING gin ((to_tsvector('simple'::regconfig, {DEVICE_TEXT})))",
    "CREATE INDEX order_text_idx ON orders_order USING gin (("
    f"to_tsvector('russian'::regconfig, {ORDER_TEXT})"
    f" || to_tsvector('simple'::regconfig, {ORDER_TEXT})))",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS client_name_trgm_idx",
    "DROP INDEX IF EXISTS client_phone_tail_idx",
    "DROP INDEX IF EXISTS device_serial_tail_idx",
    "DROP INDEX IF EXISTS device_words_idx",
    "DROP INDEX IF EXISTS order_text_idx",
]


def _fts(table: str, source: str, text: str, watched: list[str], tokenize: str) -> list[str]:
    """A contentless FTS5 table of `text` (an SQL expression over `source`'s columns,
    written with new./old. by the triggers), filled from the existing rows."""

    def row(prefix: str) -> str:
        expr = text
        for column in [*watched, "workshop_id"]:
            expr = expr.replace("{" + column + "}", f"{prefix}.{column}")
        return expr

    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in [*watched, "workshop_id"])
    delete = f"INSERT INTO {table}({table}, rowid, words) VALUES ('delete', old.id, {row('old')});"
    insert = f"INSERT INTO {table}(rowid, words) VALUES (new.id, {row('new')});"
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5(words, content='',"
        f" tokenize='{tokenize}', prefix='1 2 3')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {source} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {source} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {source} WHEN {changed}"
        f" BEGIN {delete} {insert} END",
        f"INSERT INTO {table}(rowid, words) SELECT id, {row(source)} FROM {source}",
    ]


SQLITE = [
    *_fts(
        "orders_client_words",
        "orders_client",
        "'ws' || {workshop_id} || {name_folded}",  # name_folded starts with a space
        ["name_folded"],
        "unicode61 remove_diacritics 0",  # already folded by Python
    ),
    *_fts(
        "orders_device_words",
        "orders_device",
        "'ws' || {workshop_id} || ' ' || {device_type} || ' ' || {brand} || ' ' || {model}",
        ["device_type", "brand", "model"],
        "unicode61 remove_diacritics 2",
    ),
    *_fts(
        "orders_order_words",
        "orders_order",
        "'ws' || {workshop_id} || ' ' || {problem} || ' ' || {diagnosis} || ' ' || {notes}",
        ["problem", "diagnosis", "notes"],
        "unicode61 remove_diacritics 2",
    ),
    "CREATE INDEX client_phone_tail_idx ON orders_client (workshop_id, REVERSE(phone))",
    "CREATE INDEX device_serial_tail_idx ON orders_device (workshop_id, REVERSE(UPPER(serial)))",
]
SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {t}_{suffix}"
        for t in ("orders_client_words", "orders_device_words", "orders_order_words")
        for suffix in ("ai", "ad", "au")
    ),
    "DROP TABLE IF EXISTS orders_client_words",
    "DROP TABLE IF EXISTS orders_device_words",
    "DROP TABLE IF EXISTS orders_order_words",
    "DROP INDEX IF EXISTS client_phone_tail_idx",
    "DROP INDEX IF EXISTS device_serial_tail_idx",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_diagnostics_in_the_total"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
