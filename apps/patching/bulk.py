"""Fast inserts of many plain rows (import, campus generation)."""

from django.db import connection

EVENT_FIELDS = [
    "at",
    "actor",
    "action",
    "jumper_key",
    "terminal_a",
    "terminal_b",
    "a_designation",
    "b_designation",
    "extension_number",
    "reason",
    "reference",
    "data",
]


def insert_rows(model, fields: list[str], rows: list[tuple], batch: int = 1000) -> None:
    """Insert plain tuples with executemany: several times faster than bulk_create for 100,000 rows.

    Values go through each field's ``get_db_prep_save`` (JSON, times, foreign keys), so the
    database sees exactly what the ORM would write; constraints and triggers apply as usual.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(meta.db_table), ", ".join(qn(c.column) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(
                sql,
                [
                    [c.get_db_prep_save(v, connection) for c, v in zip(columns, row, strict=True)]
                    for row in rows[start : start + batch]
                ],
            )
