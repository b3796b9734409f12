"""Database triggers for the jumper rules a CHECK constraint cannot express across tables:
a jumper's two terminals are on the jumper's frame, and each jumper end is one of its jumper's terminals."""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION patching_jumper_same_frame() RETURNS trigger AS $$
    BEGIN
      IF (SELECT frame_id FROM patching_terminal WHERE id = NEW.terminal_a_id) IS DISTINCT FROM NEW.frame_id
         OR (SELECT frame_id FROM patching_terminal WHERE id = NEW.terminal_b_id) IS DISTINCT FROM NEW.frame_id THEN
        RAISE EXCEPTION 'a jumper joins two terminals of its own frame' USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER patching_jumper_same_frame BEFORE INSERT OR UPDATE ON patching_jumper
    FOR EACH ROW EXECUTE FUNCTION patching_jumper_same_frame()
    """,
    """
    CREATE OR REPLACE FUNCTION patching_jumperend_matches() RETURNS trigger AS $$
    BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM patching_jumper j WHERE j.id = NEW.jumper_id AND (
          (j.terminal_a_id = NEW.terminal_id AND j.terminal_b_id = NEW.peer_id)
          OR (j.terminal_b_id = NEW.terminal_id AND j.terminal_a_id = NEW.peer_id))
      ) THEN
        RAISE EXCEPTION 'a jumper end is one of its jumper''s terminals' USING ERRCODE = '23514';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER patching_jumperend_matches BEFORE INSERT OR UPDATE ON patching_jumperend
    FOR EACH ROW EXECUTE FUNCTION patching_jumperend_matches()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS patching_jumper_same_frame ON patching_jumper",
    "DROP FUNCTION IF EXISTS patching_jumper_same_frame()",
    "DROP TRIGGER IF EXISTS patching_jumperend_matches ON patching_jumperend",
    "DROP FUNCTION IF EXISTS patching_jumperend_matches()",
]
SQLITE_FRAME = """
    (SELECT frame_id FROM patching_terminal WHERE id = NEW.terminal_a_id) IS NOT NEW.frame_id
    OR (SELECT frame_id FROM patching_terminal WHERE id = NEW.terminal_b_id) IS NOT NEW.frame_id
"""
SQLITE_END = """
    NOT EXISTS (SELECT 1 FROM patching_jumper j WHERE j.id = NEW.jumper_id AND (
      (j.terminal_a_id = NEW.terminal_id AND j.terminal_b_id = NEW.peer_id)
      OR (j.terminal_b_id = NEW.terminal_id AND j.terminal_a_id = NEW.peer_id)))
"""
SQLITE = [
    f"""CREATE TRIGGER patching_jumper_same_frame_{op} BEFORE {op.upper()} ON patching_jumper
    WHEN {SQLITE_FRAME}
    BEGIN SELECT RAISE(ABORT, 'a jumper joins two terminals of its own frame'); END"""
    for op in ("insert", "update")
] + [
    f"""CREATE TRIGGER patching_jumperend_matches_{op} BEFORE {op.upper()} ON patching_jumperend
    WHEN {SQLITE_END}
    BEGIN SELECT RAISE(ABORT, 'a jumper end is one of its jumper''s terminals'); END"""
    for op in ("insert", "update")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}_{op}"
    for name in ("patching_jumper_same_frame", "patching_jumperend_matches")
    for op in ("insert", "update")
]


def forwards(apps, schema_editor):
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("patching", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
