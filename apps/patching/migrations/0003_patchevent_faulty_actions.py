"""Faults join the patch-table history: "marked faulty" and "marked working" entries.

Fault marks made before this change were kept only in the audit trail; they are copied into
the history (same moment, same person, same reason) so a terminal's page shows them all.
"""

import json

from django.db import migrations, models

ACTIONS = [
    ("connect", "Connect"),
    ("disconnect", "Disconnect"),
    ("reserve", "Reserve"),
    ("release", "Release"),
    ("extension_add", "Extension added"),
    ("extension_change", "Extension changed"),
    ("extension_remove", "Extension removed"),
    ("faulty", "Marked faulty"),
    ("working", "Marked working"),
]


def _changes(entry) -> dict:
    changes = entry.changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return {}
    return changes if isinstance(changes, dict) else {}


def copy_fault_marks(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    PatchEvent = apps.get_model("patching", "PatchEvent")
    models_by_kind = {
        "terminal": apps.get_model("patching", "Terminal"),
        "pair": apps.get_model("patching", "CablePair"),
    }
    done = {
        event.data.get("audit_entry")
        for event in PatchEvent.objects.filter(action__in=["faulty", "working"]).only("data")
    }
    events = []
    for kind, model in models_by_kind.items():
        content_type = ContentType.objects.filter(
            app_label="patching", model=model._meta.model_name
        ).first()
        if content_type is None:
            continue
        names = None
        for entry in LogEntry.objects.filter(content_type=content_type).order_by("timestamp", "pk"):
            changes = _changes(entry)
            state = (changes.get("faulty") or [None, None])[-1]
            if state not in ("faulty", "working") or entry.pk in done:
                continue
            if names is None:
                names = dict(model.objects.values_list("pk", "designation"))
            try:
                pk = int(entry.object_id if entry.object_id is not None else entry.object_pk)
            except (TypeError, ValueError):
                continue
            reason = (changes.get("reason") or [None, ""])[-1] or ""
            events.append(
                PatchEvent(
                    at=entry.timestamp,
                    actor_id=entry.actor_id,
                    action=state,
                    terminal_a_id=pk if kind == "terminal" and pk in names else None,
                    a_designation=names.get(pk, entry.object_repr or "")[:60],
                    reason=str(reason)[:200],
                    data={"kind": kind, "audit_entry": entry.pk},
                )
            )
    PatchEvent.objects.bulk_create(events, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("patching", "0002_jumper_triggers"),
        ("auditlog", "0015_alter_logentry_changes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patchevent",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=20, verbose_name="action"),
        ),
        migrations.AddIndex(
            model_name="patchevent",
            index=models.Index(fields=["a_designation", "at"], name="patchevent_a_name_idx"),
        ),
        migrations.RunPython(copy_fault_marks, migrations.RunPython.noop),
    ]
