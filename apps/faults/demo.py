"""Demo faults, an inspection checklist with rounds, access entries and a document. For demonstrations only."""

import datetime
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.accounts.models import User
from apps.core.audit import audit_actor

from . import services
from .models import (
    AccessEntry,
    ChecklistItem,
    ChecklistTemplate,
    Document,
    Fault,
    FaultEvent,
    InspectionRound,
)

TEMPLATE_NAME = "机房日常巡检"
ITEMS = [
    ("交换机运行状态", ChecklistItem.Kind.PASS_FAIL, "", None, None),
    ("配线架跳线整齐", ChecklistItem.Kind.PASS_FAIL, "", None, None),
    ("温度", ChecklistItem.Kind.NUMBER, "°C", Decimal("10"), Decimal("30")),
    ("湿度", ChecklistItem.Kind.NUMBER, "%", Decimal("30"), Decimal("70")),
    ("机房清洁", ChecklistItem.Kind.PASS_FAIL, "", None, None),
    ("无吸烟痕迹", ChecklistItem.Kind.PASS_FAIL, "", None, None),
    ("UPS 状态", ChecklistItem.Kind.PASS_FAIL, "", None, None),
    ("备注", ChecklistItem.Kind.TEXT, "", None, None),
]

FAULTS = [
    # item kind, item, symptom, severity, channel, days ago, minutes to ack, hours to restore, cause
    ("extension", "8123", "无拨号音", "minor", "phone", 160, 40, 5, "outlet"),
    ("extension", "8123", "通话有杂音", "minor", "phone", 120, 25, 3, "frame"),
    ("extension", "8123", "无拨号音", "major", "walk_in", 20, 10, 2, "frame"),
    ("pbx", "PBX-1", "中继 2 全部占线,外线打不进来", "critical", "system", 95, 5, 3, "pbx"),
    ("line", "中继 E1-03", "外线断续", "major", "phone", 70, 30, 20, "cable"),
    ("outlet", "A-1203-2", "信息点松动", "minor", "walk_in", 45, 120, 30, "outlet"),
    ("extension", "8201", "话机显示屏不亮", "minor", "phone", 33, 90, 26, "handset"),
    ("frame", "MDF-1/H03", "模块受潮", "major", "inspection", 12, 15, 10, "frame"),
    ("extension", "8300", "不会转接", "minor", "phone", 8, 60, 1, "user_error"),
    ("equipment", "UPS-1", "UPS 告警", "critical", "system", 3, 8, 2, "power"),
]


def _backdate(fault: Fault, *, reported_at, ack_minutes=None, restore_hours=None):
    """Move a demo fault and its timeline back in time, so the statistics have history."""
    shift = fault.reported_at - reported_at
    updates = {"reported_at": reported_at}
    if fault.acknowledged_at:
        updates["acknowledged_at"] = reported_at + datetime.timedelta(minutes=ack_minutes or 10)
    if fault.restored_at:
        updates["restored_at"] = reported_at + datetime.timedelta(hours=restore_hours or 1)
    if fault.closed_at:
        updates["closed_at"] = updates["restored_at"] + datetime.timedelta(hours=1)
    Fault.objects.filter(pk=fault.pk).update(**updates)
    for event in fault.events.all():
        FaultEvent.objects.filter(pk=event.pk).update(at=event.at - shift)
    fault.actions.update(performed_at=reported_at + datetime.timedelta(minutes=(ack_minutes or 10) + 5))


def seed(*, stdout) -> None:
    if ChecklistTemplate.objects.filter(name=TEMPLATE_NAME).exists():
        stdout.write("  faults: demo data already present")
        return
    engineer = User.objects.get(username="engineer")
    chief = User.objects.get(username="chief")
    requester = User.objects.get(username="requester")
    frontdesk = User.objects.get(username="frontdesk")
    rng = random.Random(6)
    now = timezone.now()
    with audit_actor(engineer):
        for kind, item, symptom, severity, channel, days, ack, hours, cause in FAULTS:
            fault = services.fault_report(
                actor=requester if channel in ("phone", "walk_in") else engineer,
                item_kind=kind,
                item=item,
                symptom=symptom,
                severity=severity,
                channel=channel,
                contact="8101",
            )
            services.fault_take(fault=fault, actor=engineer)
            services.fault_action_add(
                fault=fault,
                actor=engineer,
                description="检查配线架并重新跳线" if cause == "frame" else "现场检查并处理",
                jumpers_changed=cause == "frame",
            )
            services.fault_restore(fault=fault, actor=engineer)
            services.fault_close(fault=fault, actor=engineer, cause=cause, resolution="已处理")
            fault.refresh_from_db()
            _backdate(
                fault,
                reported_at=now - datetime.timedelta(days=days, hours=rng.randint(0, 6)),
                ack_minutes=ack,
                restore_hours=hours,
            )
        # Faults still open today: one new, one taken, one waiting for parts.
        services.fault_report(
            actor=requester,
            item_kind="extension",
            item="8123",
            symptom="又没有拨号音了",
            severity="major",
            channel="phone",
            contact="8101",
        )
        taken = services.fault_report(
            actor=frontdesk,
            item_kind="extension",
            item="8300",
            symptom="前台电话响铃无声",
            severity="critical",
            channel="walk_in",
            contact="8300",
        )
        services.fault_take(fault=taken, actor=engineer)
        services.fault_action_add(
            fault=taken, actor=engineer, description="更换话机振铃线,待测试", jumpers_changed=False
        )
        held = services.fault_report(
            actor=engineer,
            item_kind="pbx",
            item="PBX-1/1-02-05",
            symptom="端口间歇性掉线",
            severity="minor",
            channel="system",
        )
        services.fault_acknowledge(fault=held, actor=engineer)
        services.fault_hold(fault=held, actor=engineer, reason="等待厂家备件")

        template = ChecklistTemplate.objects.create(name=TEMPLATE_NAME, room="1 号楼电话机房")
        ChecklistTemplate.objects.filter(pk=template.pk).update(created_at=now - datetime.timedelta(days=10))
        template.refresh_from_db()
        items = [
            ChecklistItem.objects.create(
                template=template,
                position=i,
                label=label,
                kind=kind,
                unit=unit,
                min_value=low,
                max_value=high,
            )
            for i, (label, kind, unit, low, high) in enumerate(ITEMS, start=1)
        ]
        today = timezone.localdate()
        for days_ago in (9, 8, 7, 6, 4, 3, 2, 1):  # day 5 is missed on purpose
            answers = {}
            for item in items:
                if item.kind == ChecklistItem.Kind.PASS_FAIL:
                    answers[item.pk] = "pass"
                elif item.label == "温度":
                    answers[item.pk] = str(Decimal(rng.randint(200, 260)) / 10)
                elif item.label == "湿度":
                    answers[item.pk] = str(rng.randint(40, 60))
                else:
                    answers[item.pk] = ""
            if days_ago == 2:
                answers[items[2].pk] = "32.5"  # too hot: opens a fault
            services.inspection_round_record(
                template=template,
                actor=engineer if days_ago % 2 else chief,
                answers=answers,
                day=today - datetime.timedelta(days=days_ago),
            )
        for round_ in InspectionRound.objects.filter(template=template):
            performed = timezone.make_aware(datetime.datetime.combine(round_.slot, datetime.time(9, 30)))
            InspectionRound.objects.filter(pk=round_.pk).update(performed_at=performed)

        entry = services.access_entry_record(
            actor=engineer,
            person=engineer,
            purpose="日常巡检",
            entered_at=now - datetime.timedelta(days=1, hours=2),
        )
        services.access_entry_sign_out(
            entry=entry, actor=engineer, left_at=now - datetime.timedelta(days=1, hours=1)
        )
        visitor = services.access_entry_record(
            actor=engineer,
            person_name="张师傅",
            organisation="电信分公司",
            purpose="更换中继线路板",
            escort=chief,
            entered_at=now - datetime.timedelta(days=2, hours=3),
        )
        services.access_entry_sign_out(
            entry=visitor, actor=engineer, left_at=now - datetime.timedelta(days=2, hours=1)
        )
        services.access_entry_record(
            actor=engineer,
            person_name="李工",
            organisation="交换机厂家",
            purpose="PBX 软件升级",
            escort=engineer,
            entered_at=now - datetime.timedelta(minutes=40),
        )

        upload = ContentFile("1 号楼电话机房值班记录\n2026 年交接班记录。\n".encode(), name="值班记录.txt")
        if not Document.objects.exists():
            services.document_create(
                actor=engineer, title="机房值班记录", category=Document.Category.RECORD, upload=upload
            )
    stdout.write(
        f"  faults: {Fault.objects.count()} faults, {InspectionRound.objects.count()} inspection rounds, "
        f"{AccessEntry.objects.count()} access log entries"
    )
