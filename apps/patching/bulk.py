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

# Fields whose database value is the Python value itself (given the right type, as the import's
# and the generator's rows are): no per-value preparation needed.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _prep(field):
    if field.get_internal_type() in _PLAIN and not (
        field.is_relation and field.target_field.get_internal_type() not in _PLAIN
    ):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, fields: list[str], rows: list[tuple], batch: int = 1000) -> None:
    """Insert plain tuples in batches: several times faster than bulk_create for 100,000 rows.

    Values go through each field's ``get_db_prep_save`` where that changes them (JSON, times),
    so the database sees exactly what the ORM would write; constraints and triggers apply as
    usual. PostgreSQL gets a COPY; SQLite an executemany per batch.
    """
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    preps = [_prep(c) for c in columns]
    qn = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(qn(meta.db_table), ", ".join(qn(c.column) for c in columns))
    one = "({})".format(", ".join(["%s"] * len(columns)))
    copy = connection.vendor == "postgresql"

    def prepared(row):
        return [v if p is None else p(v) for p, v in zip(preps, row, strict=True)]

    with connection.cursor() as cursor:
        if copy:
            # COPY: no statement to parse, rows streamed; triggers and constraints apply as on INSERT.
            sql = "COPY {} ({}) FROM STDIN".format(
                qn(meta.db_table), ", ".join(qn(c.column) for c in columns)
            )
            with cursor.cursor.copy(sql) as stream:
                for row in rows:
                    stream.write_row(prepared(row))
            return
        for start in range(0, len(rows), batch):
            cursor.executemany(head + one, [prepared(row) for row in rows[start : start + batch]])
