import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.calendar import month_bounds, week_start
from apps.core.excel import XLSX_CONTENT_TYPE

from . import selectors, services
from .exports import statement_workbook
from .forms import (
    AbsenceForm,
    CalendarDayForm,
    CallForm,
    DecideForm,
    FollowUpForm,
    ImportForm,
    MarkFalseForm,
    ReopenForm,
    RuleSetForm,
    TrainingForm,
    WeeklyPlanForm,
    WorkRecordForm,
)
from .models import Call, DayResult, FollowUp, TrainingSession


def _day(request, name="date") -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()


def _month(request) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _page(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _require_supervisor(user):
    if not selectors.is_supervisor(user):
        raise PermissionDenied


# The rep's day --------------------------------------------------------------------------


@login_required
@permission_required("sales.view_dayresult", raise_exception=True)
def my_day(request):
    """The rep's live progress page (a supervisor may look at a rep of their team)."""
    rep = selectors.rep_get_visible(user=request.user, username=request.GET.get("rep"))
    day = _day(request)
    context = _progress_context(rep, day)
    follow_ups = FollowUp.objects.filter(rep=rep, date=day).order_by("-created_at", "-pk")
    calls = Call.objects.filter(rep=rep, date=day).order_by("-started_at", "-pk")[:20]
    context.update(
        {
            "rep": rep,
            "own": rep.pk == request.user.pk,
            "can_decide": selectors.supervises(user=request.user, rep=rep),
            "call_form": CallForm(),
            "follow_up_form": FollowUpForm(),
            "follow_ups": follow_ups,
            "calls": calls,
            "reopen_form": ReopenForm(),
            "history": selectors.day_history(result=context["stored"]) if context["stored"] else [],
            "due": selectors.follow_ups_due(rep=rep, day=day)[:50],
        }
    )
    return render(request, "sales/my_day.html", context)


def _progress_context(rep, day):
    return selectors.day_progress(rep=rep, day=day)


@login_required
@permission_required("sales.view_dayresult", raise_exception=True)
def my_day_progress(request):
    rep = selectors.rep_get_visible(user=request.user, username=request.GET.get("rep"))
    context = _progress_context(rep, _day(request))
    context["rep"] = rep
    return render(request, "sales/partials/progress.html", context)


@login_required
@permission_required("sales.add_call", raise_exception=True)
def call_create(request):
    """Log a call: inline with htmx (the form comes back empty and the progress refreshes), or as a page."""
    htmx = bool(request.headers.get("HX-Request"))
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_log(actor=request.user, rep=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if htmx:
                response = render(
                    request, "sales/partials/call_form.html", {"call_form": CallForm(), "logged": call}
                )
                response["HX-Trigger"] = "sales-changed"
                return response
            messages.success(request, _("Call logged."))
            return redirect("sales:my_day")
    if htmx:
        return render(request, "sales/partials/call_form.html", {"call_form": form})
    return render(request, "sales/form.html", {"form": form, "title": _("Log a call")})


@login_required
@permission_required("sales.view_call", raise_exception=True)
def my_day_calls(request):
    rep = selectors.rep_get_visible(user=request.user, username=request.GET.get("rep"))
    day = _day(request)
    calls = Call.objects.filter(rep=rep, date=day).order_by("-started_at", "-pk")[:20]
    return render(request, "sales/partials/latest_calls.html", {"rep": rep, "day": day, "calls": calls})


@login_required
@permission_required("sales.view_call", raise_exception=True)
def call_list(request):
    calls = selectors.call_list(user=request.user)
    if request.GET.get("unverified"):
        calls = calls.filter(source=Call.Source.MANUAL, verified=False)
    if request.GET.get("date"):
        calls = calls.filter(date=_day(request))
    return render(request, "sales/call_list.html", {"page_obj": _page(request, calls)})


@login_required
@permission_required("sales.add_followup", raise_exception=True)
def follow_up_create(request):
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.follow_up_create(actor=request.user, rep=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            problems = record.problems()
            if problems:
                messages.warning(
                    request,
                    _("Saved, but this record does not count: %(problems)s.")
                    % {"problems": "；".join(p.rstrip("。.") for p in problems)},
                )
            else:
                messages.success(request, _("Follow-up record saved; the customer counts today."))
            return redirect("sales:my_day")
    return render(request, "sales/form.html", {"form": form, "title": _("New follow-up record")})


@login_required
@permission_required("sales.view_followup", raise_exception=True)
def follow_up_list(request):
    records = selectors.follow_up_list(user=request.user)
    if request.GET.get("rep"):
        records = records.filter(rep__username=request.GET["rep"])
    if request.GET.get("date"):
        records = records.filter(date=_day(request))
    return render(
        request,
        "sales/follow_up_list.html",
        {"page_obj": _page(request, records), "supervisor": selectors.is_supervisor(request.user)},
    )


@login_required
@permission_required("sales.change_followup", raise_exception=True)
def follow_up_mark_false(request, pk):
    record = get_object_or_404(selectors.follow_up_list(user=request.user), pk=pk)
    form = MarkFalseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_mark_false(
                actor=request.user, follow_up=record, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The record is marked false; the day was recomputed."))
            return redirect("sales:follow_ups")
    return render(
        request,
        "sales/form.html",
        {"form": form, "title": _("Mark a follow-up record false"), "object": record},
    )


# Absences ------------------------------------------------------------------------------


@login_required
@permission_required("sales.view_absence", raise_exception=True)
def absence_list(request):
    form = AbsenceForm(request.POST or None, initial={"day": timezone.localdate()}, user=request.user)
    if request.method == "POST":
        if not request.user.has_perm("sales.add_absence"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.absence_request_days(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Request sent to your supervisor."))
                return redirect("sales:absences")
    absences = selectors.absence_list(user=request.user)
    return render(request, "sales/absence_list.html", {"form": form, "page_obj": _page(request, absences)})


@login_required
@permission_required("sales.change_absence", raise_exception=True)
def approvals(request):
    pending = list(selectors.absences_to_decide(user=request.user))
    selectors.absences_preview(absences=pending)
    return render(request, "sales/approvals.html", {"pending": pending, "form": DecideForm()})


@login_required
@require_POST
@permission_required("sales.change_absence", raise_exception=True)
def absence_decide(request, pk):
    absence = get_object_or_404(selectors.absence_list(user=request.user), pk=pk)
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services.absence_decide(
            actor=request.user,
            absence=absence,
            approve=request.POST.get("decision") == "approve",
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("sales:approvals")


# Supervisor board -----------------------------------------------------------------------


@login_required
@permission_required("sales.change_absence", raise_exception=True)
def board(request):
    _require_supervisor(request.user)
    context = selectors.team_board(supervisor=request.user, day=_day(request))
    return render(request, "sales/board.html", context)


@login_required
@permission_required("sales.change_absence", raise_exception=True)
def board_rows(request):
    _require_supervisor(request.user)
    context = selectors.team_board(supervisor=request.user, day=_day(request))
    return render(request, "sales/partials/board_rows.html", context)


@login_required
@require_POST
@permission_required("sales.reopen_dayresult", raise_exception=True)
def day_reopen(request, pk):
    result = get_object_or_404(
        DayResult.objects.filter(rep__in=selectors.visible_reps(user=request.user)), pk=pk
    )
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.quota_day_reopen(actor=request.user, result=result, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The day is reopened."))
    else:
        messages.error(request, _("Say why the day is reopened."))
    return redirect(reverse("sales:my_day") + f"?rep={result.rep.username}&date={result.date.isoformat()}")


@login_required
@require_POST
@permission_required("sales.reopen_dayresult", raise_exception=True)
def day_close(request, pk):
    result = get_object_or_404(
        DayResult.objects.filter(rep__in=selectors.visible_reps(user=request.user)), pk=pk
    )
    services.quota_day_close(actor=request.user, rep=result.rep, day=result.date)
    messages.success(request, _("The day is closed."))
    return redirect(reverse("sales:my_day") + f"?rep={result.rep.username}&date={result.date.isoformat()}")


# Work records and weekly plans ----------------------------------------------------------


@login_required
@permission_required("sales.view_workrecord", raise_exception=True)
def work_records(request):
    day = _day(request)
    form = WorkRecordForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("sales.add_workrecord"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.work_record_submit(actor=request.user, content=form.cleaned_data["content"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Work record sent."))
                return redirect("sales:work_records")
    rows = selectors.work_record_status(user=request.user, day=day)
    deadline = timezone.make_aware(
        datetime.datetime.combine(day, selectors.rule_set_for(day=day).end_of_work)
    )
    past_deadline = timezone.now() > deadline
    return render(
        request,
        "sales/work_records.html",
        {
            "form": form,
            "rows": rows,
            "day": day,
            "deadline": deadline,
            "past_deadline": past_deadline,
            "supervisor": selectors.is_supervisor(request.user),
        },
    )


@login_required
@permission_required("sales.view_weeklyplan", raise_exception=True)
def weekly_plans(request):
    next_week = week_start(timezone.localdate()) + datetime.timedelta(days=7)
    week = week_start(_day(request, "week")) if request.GET.get("week") else next_week
    form = WeeklyPlanForm(request.POST or None, initial={"week": next_week})
    if request.method == "POST":
        if not request.user.has_perm("sales.add_weeklyplan"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.weekly_plan_submit(
                    actor=request.user, content=form.cleaned_data["content"], week=form.cleaned_data["week"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Plan sent."))
                return redirect("sales:weekly_plans")
    deadline = services.plan_deadline(week)
    return render(
        request,
        "sales/weekly_plans.html",
        {
            "form": form,
            "rows": selectors.weekly_plan_status(user=request.user, week_start=week),
            "week": week,
            "deadline": deadline,
            "past_deadline": timezone.now() > deadline,
            "supervisor": selectors.is_supervisor(request.user),
        },
    )


# Training -------------------------------------------------------------------------------


@login_required
@permission_required("sales.view_trainingsession", raise_exception=True)
def trainings(request):
    sessions = TrainingSession.objects.prefetch_related("attendance__rep").order_by("-starts_at")
    if not selectors.is_supervisor(request.user):
        sessions = sessions.filter(attendance__rep=request.user)
    return render(
        request,
        "sales/trainings.html",
        {"page_obj": _page(request, sessions), "supervisor": selectors.is_supervisor(request.user)},
    )


@login_required
@permission_required("sales.add_trainingsession", raise_exception=True)
def training_create(request):
    reps = selectors.visible_reps(user=request.user).exclude(pk=request.user.pk)
    form = TrainingForm(request.POST or None, reps=reps)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_create(
                actor=request.user,
                topic=form.cleaned_data["topic"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                place=form.cleaned_data["place"],
                reps=list(form.cleaned_data["reps"]),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Training session created; the reps were notified."))
            return redirect("sales:trainings")
    return render(request, "sales/form.html", {"form": form, "title": _("New training session")})


@login_required
@permission_required("sales.change_trainingsession", raise_exception=True)
def training_detail(request, pk):
    session = get_object_or_404(TrainingSession, pk=pk)
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        services.training_take_attendance(actor=request.user, session=session, present_ids=present)
        messages.success(request, _("Attendance recorded."))
        return redirect("sales:training_detail", pk=pk)
    rows = session.attendance.select_related("rep").order_by("rep__username")
    unexcused = {a.pk for a in services.training_unexcused(session=session)}
    return render(
        request, "sales/training_detail.html", {"session": session, "rows": rows, "unexcused": unexcused}
    )


# Monthly statement ----------------------------------------------------------------------


def _statement_reps(request):
    username = request.GET.get("rep")
    if username:
        return [selectors.rep_get_visible(user=request.user, username=username)]
    if selectors.is_supervisor(request.user):
        return list(selectors.visible_reps(user=request.user).exclude(pk=request.user.pk))
    return [request.user]


@login_required
@permission_required("sales.view_dayresult", raise_exception=True)
def statement(request):
    month = _month(request)
    data = selectors.month_statement(reps=_statement_reps(request), month=month)
    return render(
        request,
        "sales/statement.html",
        {
            **data,
            "month": month,
            "rep_param": request.GET.get("rep", ""),
            "supervisor": selectors.is_supervisor(request.user),
        },
    )


@login_required
@permission_required("sales.view_dayresult", raise_exception=True)
def statement_excel(request):
    month = _month(request)
    data = selectors.month_statement(reps=_statement_reps(request), month=month)
    buffer = io.BytesIO()
    statement_workbook(data).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    first, _last = month_bounds(month)
    name = request.GET.get("rep") or "team"
    response["Content-Disposition"] = f'attachment; filename="sales-statement-{name}-{first:%Y-%m}.xlsx"'
    return response


# Rules and calendar --------------------------------------------------------------------


@login_required
@permission_required("sales.view_ruleset", raise_exception=True)
def rules(request):
    from .models import CalendarDay, RuleSet

    can_edit = request.user.has_perm("sales.add_ruleset")
    form = RuleSetForm(request.POST or None, prefix="rules") if can_edit else None
    calendar_form = CalendarDayForm(request.POST or None, prefix="day") if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "rules-effective_from" in request.POST and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "effective_from"}
            try:
                services.rule_set_create(
                    actor=request.user, effective_from=form.cleaned_data["effective_from"], **data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("New rules saved; earlier days keep the rules they had."))
                return redirect("sales:rules")
        elif "day-date" in request.POST and calendar_form.is_valid():
            services.calendar_day_set(
                actor=request.user,
                day=calendar_form.cleaned_data["date"],
                is_working=calendar_form.cleaned_data["is_working"],
                name=calendar_form.cleaned_data["name"],
            )
            messages.success(request, _("Work calendar updated."))
            return redirect("sales:rules")
    return render(
        request,
        "sales/rules.html",
        {
            "rule_sets": RuleSet.objects.all(),
            "calendar_days": CalendarDay.objects.filter(
                date__gte=timezone.localdate() - datetime.timedelta(days=60)
            ),
            "form": form,
            "calendar_form": calendar_form,
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("sales.import_calls", raise_exception=True)
def call_import_template(request):
    """Return an empty call-record workbook with the expected columns and one example row."""
    from apps.core.excel import Column, StreamedWorkbook

    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Call records"),
        [
            Column("分机号", 10),
            Column("被叫号码", 16),
            Column("开始时间", 20),
            Column("通话时长(秒)", 12),
            Column("状态", 12),
            Column("呼叫编号", 20),
        ],
    )
    sheet.append(
        [
            "8201",
            "13800138000",
            timezone.localtime().replace(microsecond=0, tzinfo=None),
            65,
            "ANSWERED",
            "1700000000.1",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="call-records-template.xlsx"'
    return response


# Call-record import ---------------------------------------------------------------------


@login_required
@permission_required("sales.import_calls", raise_exception=True)
def call_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.call_records_import(actor=request.user, file=upload, file_name=upload.name)
        except services.ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "%(rows)s rows: %(created)s calls added, %(confirmed)s hand-logged calls confirmed, "
                    "%(duplicates)s duplicates and %(other)s calls of other staff skipped."
                )
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "confirmed": report.confirmed,
                    "duplicates": report.duplicates,
                    "other": report.other_staff,
                },
            )
            return redirect("sales:call_import")
    from .models import CallImport

    recent = CallImport.objects.select_related("imported_by")[:10]
    return render(request, "sales/call_import.html", {"form": form, "errors": errors, "recent": recent})
