"""Demo work orders: a few in each state, made through the services. For demonstrations only."""

import datetime

from django.utils import timezone

from apps.accounts.models import Department, User
from apps.core.audit import audit_actor

from . import patch_table, services
from .errors import WorkOrderConflict
from .models import OrderKind, WorkOrder

# kind, person, building, floor, room, extension, new extension, days until wanted, final state
ORDERS = [
    (OrderKind.INSTALL, "新员工 周敏", "A", "2", "201", "", "", 5, "draft"),
    (OrderKind.MOVE, "赵行政", "A", "3", "305", "", "", 3, "submitted"),
    (OrderKind.INSTALL, "财务 钱多多", "A", "1", "103", "", "", -2, "submitted"),
    (OrderKind.REMOVAL, "离职 孙某", "A", "4", "410", "", "", 2, "assigned"),
    (OrderKind.MOVE, "工程部 吴工", "A", "2", "202", "", "", 1, "in_progress"),
    (OrderKind.NUMBER_CHANGE, "销售 刘", "A", "1", "108", "", "8899", 4, "returned"),
    (OrderKind.MOVE, "行政 郑", "A", "2", "203", "", "", -5, "completed"),
    (OrderKind.INSTALL, "访客室", "A", "4", "402", "", "", 7, "cancelled"),
]


def _existing_extensions() -> list[dict]:
    """Return rows (extension, floor) of the demo patch table, or made-up numbers without one."""
    try:
        from apps.patching.selectors import distribution_table_page

        rows, _total = distribution_table_page(page=1, per_page=200)
        rows = [r for r in rows if r.get("extension") and r.get("equipment_terminal")]
        if rows:
            return [{"extension": r["extension"], "floor": str(r.get("floor") or "")} for r in rows]
    except (ImportError, TypeError, AttributeError):
        pass
    return [{"extension": str(8400 + i), "floor": ""} for i in range(len(ORDERS))]


def _pick(rows: list[dict], floor: str) -> str:
    """Take an extension on ``floor`` if there is one (a move within the floor frame), else any."""
    for i, row in enumerate(rows):
        if row["floor"] == floor:
            return rows.pop(i)["extension"]
    return rows.pop(0)["extension"] if rows else "8499"


def seed(*, stdout) -> None:
    if WorkOrder.objects.exists():
        return
    requester = User.objects.filter(username="requester").first()
    engineer = User.objects.filter(username="engineer").first()
    if requester is None or engineer is None:
        return
    department = requester.department or Department.objects.first()
    rows = _existing_extensions()
    today = timezone.localdate()
    made = 0
    for kind, person, building, floor, room, _ext, new_ext, days, state in ORDERS:
        extension = "" if kind == OrderKind.INSTALL else _pick(rows, floor)
        with audit_actor(requester):
            order = services.order_create(
                actor=requester,
                kind=kind,
                department=department,
                person=person,
                contact_phone=requester.extension or "8101",
                building=building,
                floor=floor,
                room=room,
                extension=extension,
                assign_extension=kind == OrderKind.INSTALL,
                new_extension=new_ext,
                wanted_date=today + datetime.timedelta(days=days),
                notes="",
                submit=state != "draft",
            )
        made += 1
        try:
            _advance(order, state=state, requester=requester, engineer=engineer)
        except (WorkOrderConflict, Exception) as exc:  # noqa: BLE001 - demo data never stops the seed
            stdout.write(f"  work order {order.number}: left at {order.status} ({exc})")
    stdout.write(f"Work orders: {made} demo orders")


def _advance(order, *, state, requester, engineer) -> None:
    if state in ("draft", "submitted"):
        return
    if state == "cancelled":
        services.order_cancel(actor=requester, order=order, reason="需求取消")
        return
    if state == "returned":
        services.order_return(actor=engineer, order=order, reason="请填写房间内信息点编号")
        return
    services.order_assign(actor=engineer, order=order, assignee=engineer, comment="演示派工")
    suggestion = patch_table.plan_suggestion(order=order)
    if suggestion:
        services.order_plan(
            actor=engineer,
            order=order,
            steps=suggestion.get("steps", []),
            port=suggestion.get("port", ""),
            extension=suggestion.get("extension", ""),
            outlet=suggestion.get("outlet", ""),
        )
    if state == "assigned":
        return
    services.order_start(actor=engineer, order=order)
    if state == "completed" and suggestion:
        services.order_complete(actor=engineer, order=order, comment="已按方案完成")
