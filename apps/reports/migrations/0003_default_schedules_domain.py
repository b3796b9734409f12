"""Default schedules of the domain reports (DESIGN.md and the reports issue list them)."""

import datetime

from django.db import migrations

from apps.reports.defaults import ensure_schedule, remove_schedule

DEFAULTS = [
    dict(
        name="每日跳线变更记录",
        kind="jumper_history",
        parameters={"period": "yesterday"},
        frequency="daily",
        time=datetime.time(7, 30),
        roles=["engineer", "chief_engineer"],
    ),
    dict(
        name="每日故障报表",
        kind="faults",
        parameters={"period": "yesterday"},
        frequency="daily",
        time=datetime.time(7, 40),
        roles=["engineer", "chief_engineer"],
    ),
    dict(
        name="每周工单报表",
        kind="work_orders",
        parameters={"period": "last_week"},
        frequency="weekly",
        time=datetime.time(8, 20),
        weekday=1,
        roles=["chief_engineer", "administrator"],
    ),
    dict(
        name="每月配线表",
        kind="distribution_table",
        parameters={},
        frequency="monthly",
        time=datetime.time(7, 0),
        day_of_month=1,
        roles=["chief_engineer", "administrator"],
    ),
    dict(
        name="每周功能调整与调整记录",
        kind="function_changes",
        parameters={"period": "last_week"},
        frequency="weekly",
        time=datetime.time(8, 30),
        weekday=1,
        roles=["chief_engineer", "administrator"],
    ),
    dict(
        name="每周销售电话量结果",
        kind="sales_results",
        parameters={"period": "this_week"},
        frequency="weekly",
        time=datetime.time(19, 0),
        weekday=6,
        roles=["sales_supervisor", "administrator"],
    ),
    dict(
        name="每月罚款明细",
        kind="sales_fines",
        parameters={"period": "last_month"},
        frequency="monthly",
        time=datetime.time(8, 0),
        day_of_month=1,
        roles=["sales_supervisor", "administrator"],
    ),
]


def forwards(apps, schema_editor):
    for values in DEFAULTS:
        ensure_schedule(apps, **values)


def backwards(apps, schema_editor):
    for values in DEFAULTS:
        remove_schedule(apps, name=values["name"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_default_schedules")]

    operations = [migrations.RunPython(forwards, backwards)]
