"""Reads of the faults app."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from .models import (
    DEFAULT_TARGETS,
    SEVERITY_ORDER,
    AccessEntry,
    Cause,
    ChecklistTemplate,
    Document,
    Fault,
    FaultEvent,
    InspectionRound,
    ResponseTarget,
    Severity,
)

REPEAT_WINDOW_DAYS = 90


def response_targets() -> dict[str, tuple[int, int]]:
    """Return severity -> (minutes to acknowledge, minutes to restore), the defaults filling gaps."""
    targets = {str(k): v for k, v in DEFAULT_TARGETS.items()}
    for target in ResponseTarget.objects.all():
        targets[target.severity] = (target.respond_minutes, target.restore_minutes)
    return targets


def response_target_rows() -> list[dict]:
    targets = response_targets()
    return [
        {
            "severity": s.value,
            "label": s.label,
            "respond": targets[s.value][0],
            "restore": targets[s.value][1],
        }
        for s in Severity
    ]


def fault_may_work(user) -> bool:
    """Whether the user works faults (acknowledge, act, restore, close)."""
    return user.has_perm("faults.change_fault")


def fault_visible_to(user) -> QuerySet[Fault]:
    """Engineers see every fault; everybody else the faults they reported."""
    faults = Fault.objects.all()
    if not user.has_perm("faults.view_fault"):
        faults = faults.filter(reporter=user)
    return faults


def _with_repeats(faults: QuerySet[Fault]) -> QuerySet[Fault]:
    """Annotate how many faults the same item had in the window around each fault."""
    since = timezone.now() - datetime.timedelta(days=REPEAT_WINDOW_DAYS)
    same_item = (
        Fault.objects.filter(item_kind=OuterRef("item_kind"), item=OuterRef("item"), reported_at__gte=since)
        .order_by()
        .values("item_kind")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return faults.annotate(
        repeat_count=Coalesce(Subquery(same_item, output_field=IntegerField()), Value(0)),
    )


def fault_list(
    *, user, status: str = "", severity: str = "", q: str = "", mine: bool = False
) -> QuerySet[Fault]:
    faults = fault_visible_to(user).select_related("reporter", "assignee")
    if status == "open":
        faults = faults.filter(status__in=Fault.OPEN_STATUSES)
    elif status:
        faults = faults.filter(status=status)
    if severity:
        faults = faults.filter(severity=severity)
    if mine:
        faults = faults.filter(Q(assignee=user) | Q(reporter=user))
    if q:
        q = q.strip()
        faults = faults.filter(
            Q(number__icontains=q) | Q(item__icontains=q) | Q(symptom__icontains=q) | Q(contact__icontains=q)
        )
    return _with_repeats(faults)


def fault_queue_order(faults: QuerySet[Fault]) -> QuerySet[Fault]:
    """Order open faults for the engineers: unacknowledged first, then the most severe, then the oldest."""
    return faults.annotate(
        waiting=Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1)),
        severity_rank=Case(
            *[When(severity=s, then=Value(rank)) for s, rank in SEVERITY_ORDER.items()], default=Value(9)
        ),
    ).order_by("waiting", "severity_rank", "reported_at", "pk")


def fault_attach_deadlines(faults, *, now=None, targets=None) -> list[Fault]:
    """Set response_due, restore_due and overdue on each fault (no queries beyond the targets)."""
    now = now or timezone.now()
    targets = targets or response_targets()
    faults = list(faults)
    for fault in faults:
        respond, restore = targets[fault.severity]
        fault.response_due = fault.reported_at + datetime.timedelta(minutes=respond)
        fault.restore_due = fault.reported_at + datetime.timedelta(minutes=restore)
        fault.response_overdue = fault.acknowledged_at is None and now > fault.response_due and fault.is_open
        fault.restore_overdue = fault.restored_at is None and now > fault.restore_due and fault.is_open
        fault.overdue = fault.response_overdue or fault.restore_overdue
    return faults


def fault_sort_queue(faults: list[Fault]) -> list[Fault]:
    return sorted(
        faults,
        key=lambda f: (f.acknowledged_at is not None, not f.overdue, f.severity_order, f.reported_at),
    )


def fault_get(*, user, number: str) -> Fault:
    """Return the fault if the user may see it: 404 when it does not exist, 403 when it is not theirs."""
    try:
        fault = Fault.objects.select_related(
            "reporter", "assignee", "acknowledged_by", "inspection_round", "inspection_round__template"
        ).get(number=number)
    except Fault.DoesNotExist as exc:
        raise Http404 from exc
    if not user.has_perm("faults.view_fault") and fault.reporter_id != user.pk:
        raise PermissionDenied
    return fault


def fault_timeline(*, fault: Fault) -> QuerySet[FaultEvent]:
    return fault.events.select_related("actor", "action").order_by("at", "pk")


def fault_item_history(*, user, item_kind: str, item: str) -> QuerySet[Fault]:
    return (
        fault_visible_to(user)
        .filter(item_kind=item_kind, item__iexact=item.strip())
        .select_related("reporter", "assignee")
        .order_by("-reported_at", "-pk")
    )


def fault_repeated_items(*, days: int = REPEAT_WINDOW_DAYS, minimum: int = 2) -> list[dict]:
    since = timezone.now() - datetime.timedelta(days=days)
    return list(
        Fault.objects.filter(reported_at__gte=since)
        .values("item_kind", "item")
        .annotate(n=Count("pk"))
        .filter(n__gte=minimum)
        .order_by("-n", "item")[:20]
    )


def _minutes(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 1)


def _since_report(field: str):
    return ExpressionWrapper(F(field) - F("reported_at"), output_field=DurationField())


def fault_statistics(*, months: int = 12, now=None) -> dict:
    """Open faults by severity, and mean time to acknowledge and restore per month and per cause.

    The means are computed by the database (a few rows come back whatever the number of faults).
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    open_counts = dict(
        Fault.objects.filter(status__in=Fault.OPEN_STATUSES)
        .values_list("severity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    recent = Fault.objects.filter(reported_at__gte=first)
    per_month = {
        timezone.localtime(row["month"]).strftime("%Y-%m"): row
        for row in recent.annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(
            count=Count("pk"),
            mtta=Avg(_since_report("acknowledged_at")),
            mttr=Avg(_since_report("restored_at")),
        )
        .order_by("month")
    }
    monthly = []
    cursor = first
    while cursor <= local:
        key = cursor.strftime("%Y-%m")
        row = per_month.get(key, {})
        mttr = _minutes(row.get("mttr"))
        monthly.append(
            {
                "month": key,
                "count": row.get("count", 0),
                "mtta": _minutes(row.get("mtta")),
                "mttr": mttr,
                "mttr_hours": None if mttr is None else round(mttr / 60, 2),
            }
        )
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    per_cause = {
        row["cause"]: row
        for row in recent.exclude(cause="")
        .values("cause")
        .annotate(count=Count("pk"), mttr=Avg(_since_report("restored_at")))
        .order_by()
    }
    causes = [
        {
            "cause": c.value,
            "label": c.label,
            "count": per_cause[c.value]["count"],
            "mttr": _minutes(per_cause[c.value]["mttr"]),
        }
        for c in Cause
        if c.value in per_cause
    ]
    return {
        "open_by_severity": [
            {"severity": s.value, "label": s.label, "count": open_counts.get(s.value, 0)} for s in Severity
        ],
        "open_total": sum(open_counts.values()),
        "monthly": monthly,
        "causes": causes,
        "since": first,
    }


def fault_export_rows(*, user, since=None):
    faults = fault_visible_to(user).select_related("reporter", "assignee").order_by("reported_at", "pk")
    if since:
        faults = faults.filter(reported_at__gte=since)
    return faults.iterator(chunk_size=500)


# Inspections --------------------------------------------------------------------------------


def checklist_templates_active() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(active=True).prefetch_related("items").order_by("name")


def inspection_round_list() -> QuerySet[InspectionRound]:
    return InspectionRound.objects.select_related("template", "inspector").order_by("-performed_at", "-pk")


def inspection_round_get(*, pk: int) -> InspectionRound:
    try:
        return InspectionRound.objects.select_related("template", "inspector").get(pk=pk)
    except InspectionRound.DoesNotExist as exc:
        raise Http404 from exc


def inspection_results(*, round_: InspectionRound):
    return round_.results.select_related("item", "fault").order_by("item__position", "pk")


def inspection_status(*, days: int = 7, today=None) -> dict:
    """Return today's due rounds and the missed past periods (within ``days``) of each active checklist."""
    today = today or timezone.localdate()
    templates = list(ChecklistTemplate.objects.filter(active=True).order_by("name"))
    start = today - datetime.timedelta(days=days)
    done = set(
        InspectionRound.objects.filter(
            template__in=templates, slot__gte=start - datetime.timedelta(days=7)
        ).values_list("template_id", "slot")
    )
    due, missed = [], []
    for template in templates:
        created = timezone.localtime(template.created_at).date()
        current = template.slot_for(today)
        if (template.pk, current) not in done:
            due.append({"template": template, "slot": current})
        slots = []
        day = start
        while day < current:
            slot = template.slot_for(day)
            if slot not in slots and slot < current and template.slot_for(created) <= slot:
                slots.append(slot)
            day += datetime.timedelta(days=1)
        for slot in slots:
            if (template.pk, slot) not in done:
                missed.append({"template": template, "slot": slot})
    return {"due": due, "missed": missed}


# Access log ---------------------------------------------------------------------------------


def access_entry_list(*, q: str = "", since=None) -> QuerySet[AccessEntry]:
    entries = AccessEntry.objects.select_related("person", "escort", "recorded_by").order_by(
        "-entered_at", "-pk"
    )
    if q:
        entries = entries.filter(
            Q(person_name__icontains=q) | Q(organisation__icontains=q) | Q(purpose__icontains=q)
        )
    if since:
        entries = entries.filter(entered_at__gte=since)
    return entries


def access_in_room_now() -> QuerySet[AccessEntry]:
    return access_entry_list().filter(left_at__isnull=True).order_by("entered_at", "pk")


# Documents ----------------------------------------------------------------------------------


def document_list(*, category: str = "", q: str = "") -> QuerySet[Document]:
    documents = Document.objects.select_related("created_by").annotate(version_count=Count("versions"))
    if category:
        documents = documents.filter(category=category)
    if q:
        documents = documents.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return documents.order_by("category", "title")


def document_get(*, pk: int) -> Document:
    try:
        return Document.objects.select_related("created_by").get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404 from exc


def document_versions(*, document: Document):
    return document.versions.select_related("uploaded_by").order_by("-number")
