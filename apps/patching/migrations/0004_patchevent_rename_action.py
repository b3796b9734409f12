"""Renaming a frame, block, PBX, cable, building or room is written to the patch-table history."""

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
    ("rename", "Renamed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("patching", "0003_patchevent_faulty_actions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patchevent",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=20, verbose_name="action"),
        ),
    ]
