"""Install, move, removal and number-change orders (装机单 / 移机单 / 拆机单)."""

from collections import Counter

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.excel import Column
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder
from apps.workorders.selectors import order_visible_to

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter


def _name(user) -> str:
    return user.get_full_name() if user else ""


@register_kind(
    code="work_orders",
    label=gettext_lazy("Work orders"),
    description=gettext_lazy(
        "Orders submitted or completed in the period, with who asked, who did the work and whether it was late."
    ),
    form=PeriodForm,
    run_permissions=("workorders.view_all_workorders",),
    app="workorders",
    order=150,
    filename="work-orders",
)
def work_orders_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    orders = order_visible_to(user=report.user) if report.user is not None else WorkOrder.objects.all()
    orders = (
        orders.filter(
            Q(submitted_at__gte=dates.start, submitted_at__lt=dates.end)
            | Q(completed_at__gte=dates.start, completed_at__lt=dates.end)
        )
        .select_related("requester", "department", "assignee")
        .order_by("submitted_at", "pk")
    )
    sheet = report.detail(
        _("Work orders"),
        [
            Column(_("Order number"), 14),
            Column(_("Kind"), 10),
            Column(_("Status"), 10),
            Column(_("Requested by"), 12),
            Column(_("Department"), 14),
            Column(_("Phone user"), 12),
            Column(_("Location"), 18),
            Column(_("Extension"), 10),
            Column(_("Wanted date"), 12),
            Column(_("Submitted at"), 17),
            Column(_("Engineer"), 12),
            Column(_("Completed at"), 17),
            Column(_("Late"), 6),
        ],
    )
    kinds, statuses = Counter(), Counter()
    completed = late = 0
    for order in orders.iterator(chunk_size=2000):
        done_day = order.completed_at.date() if order.completed_at else None
        is_late = bool(
            order.status == OrderStatus.COMPLETED and done_day and done_day > order.wanted_date
        ) or (
            order.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
            and order.wanted_date < report.today
        )
        if order.status == OrderStatus.COMPLETED:
            completed += 1
        late += is_late
        kinds[order.kind] += 1
        statuses[order.status] += 1
        location = "-".join(part for part in (order.building, order.floor, order.room) if part)
        sheet.append(
            [
                order.number,
                order.get_kind_display(),
                order.get_status_display(),
                _name(order.requester),
                order.department.name if order.department_id else "",
                order.person,
                location,
                order.new_extension or order.extension or order.planned_extension,
                order.wanted_date,
                order.submitted_at,
                _name(order.assignee),
                order.completed_at,
                _("Yes") if is_late else _("No"),
            ]
        )
    for kind, label in OrderKind.choices:
        if kinds[kind]:
            report.summary_row(label, kinds[kind])
    report.summary_row(_("Completed"), completed)
    report.summary_row(_("Late"), late)
    by_status = report.detail(_("By status"), [Column(_("Status"), 14), Column(_("Orders"), 10)])
    for status, label in OrderStatus.choices:
        if statuses[status]:
            by_status.append([str(label), statuses[status]])
    by_status.total([_("Total"), sum(statuses.values())])
