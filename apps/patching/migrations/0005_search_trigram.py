"""Trigram indexes for the distribution table's search, on PostgreSQL only (elsewhere a no-op).

The search matches a substring anywhere in a designation, number or name (``icontains``, which
Django writes as ``UPPER(column::text) LIKE UPPER('%…%')``); a b-tree cannot serve a leading
wildcard, a GIN trigram index on that same expression can.
"""

from django.db import migrations

# (index, table, column)
INDEXES = [
    ("patching_extension_number_trgm", "patching_extension", "number"),
    ("patching_extension_user_name_trgm", "patching_extension", "user_name"),
    ("patching_outlet_designation_trgm", "patching_outlet", "designation"),
    ("patching_pbxport_designation_trgm", "patching_pbxport", "designation"),
    ("patching_terminal_designation_trgm", "patching_terminal", "designation"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other tables may use it, and it costs nothing unused.
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patching", "0004_patchevent_rename_action")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
