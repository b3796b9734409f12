from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ScheduleForm
from .models import ReportRun, ReportSchedule
from .registry import (
    EmptyForm,
    kind_get,
    kind_list,
    kinds_downloadable_by,
    kinds_runnable_by,
    parameters_to_json,
)
from .selectors import report_run_list, report_schedule_list


def _run_or_403(request, pk) -> ReportRun:
    run = get_object_or_404(ReportRun.objects.select_related("requested_by", "schedule"), pk=pk)
    if not services.download_allowed(run=run, user=request.user):
        raise PermissionDenied
    return run


def _centre_context(request, *, bound=None):
    runnable = kinds_runnable_by(request.user)
    if not runnable and not kinds_downloadable_by(request.user):
        raise PermissionDenied
    kind_filter = request.GET.get("kind") or None
    runs = report_run_list(user=request.user, kind=kind_filter)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    forms = []
    for kind in runnable:
        form = (
            bound
            if bound is not None and bound.prefix == kind.code
            else kind.parameters_form(prefix=kind.code)
        )
        forms.append((kind, form, isinstance(form, EmptyForm)))
    return {
        "kind_forms": forms,
        "page_obj": page,
        "kinds": {k.code: k for k in kind_list()},
        "downloadable": kinds_downloadable_by(request.user),
        "kind_filter": kind_filter,
        "open_kind": bound.prefix if bound is not None else None,
    }


@login_required
def centre(request):
    """The report centre: the reports this person may run, and the files they may download."""
    return render(request, "reports/centre.html", _centre_context(request))


@login_required
@require_POST
def run_create(request, code):
    """Queue a run and come back at once; the page then follows it until the file is ready."""
    kind = kind_get(code)
    if kind is None:
        raise Http404
    if not kind.can_run(request.user):
        raise PermissionDenied
    form = kind.parameters_form(request.POST, prefix=kind.code)
    if not form.is_valid():
        context = _centre_context(request, bound=form)
        return render(request, "reports/centre.html", context, status=400)
    try:
        run = services.report_run_request(
            kind_code=kind.code, parameters=parameters_to_json(form.cleaned_data), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:centre")
    messages.success(
        request, _("“%(report)s” is being produced; it appears below when ready.") % {"report": kind.label}
    )
    return redirect(reverse("reports:centre") + f"#run-{run.pk}")


@login_required
def run_status(request, pk):
    """One row of the runs table, polled by htmx while the run is queued or running."""
    run = _run_or_403(request, pk)
    return render(request, "reports/_run_row.html", {"run": run, "kinds": {k.code: k for k in kind_list()}})


@login_required
def download(request, pk):
    run = _run_or_403(request, pk)
    if not run.downloadable:
        raise Http404(_("This report has no file (yet, or any more)."))
    try:
        handle = run.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("This report's file has been removed.")) from exc
    return FileResponse(handle, as_attachment=True, filename=run.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def run_retry(request, pk):
    run = _run_or_403(request, pk)
    try:
        services.report_run_retry(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report has been queued again."))
    return redirect("reports:centre")


# --- Schedules ------------------------------------------------------------------------------


@login_required
@permission_required("reports.view_reportschedule", raise_exception=True)
def schedules(request):
    page = Paginator(report_schedule_list(), 25).get_page(request.GET.get("page"))
    return render(
        request, "reports/schedules.html", {"page_obj": page, "kinds": {k.code: k for k in kind_list()}}
    )


def _schedule_form_page(request, schedule: ReportSchedule | None):
    kind_code = request.POST.get("kind") or request.GET.get("kind") or (schedule.kind if schedule else None)
    kind = kind_get(kind_code) if kind_code else None
    if kind is None and kind_list():
        kind = kind_list()[0]
    initial_params = schedule.parameters if schedule and kind and schedule.kind == kind.code else None
    if request.method == "POST":
        form = ScheduleForm(request.POST, instance=schedule)
        params_form = kind.parameters_form(request.POST, prefix="p") if kind else None
        if form.is_valid() and (params_form is None or params_form.is_valid()):
            data = dict(form.cleaned_data)
            data["parameters"] = parameters_to_json(params_form.cleaned_data) if params_form else {}
            data["recipient_users"] = list(data["recipient_users"])
            data["recipient_departments"] = list(data["recipient_departments"])
            try:
                if schedule is None:
                    schedule = services.report_schedule_create(actor=request.user, **data)
                else:
                    schedule = services.report_schedule_update(schedule=schedule, actor=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Schedule “%(name)s” saved.") % {"name": schedule.name})
                return redirect("reports:schedules")
    else:
        initial = {"kind": kind.code} if kind else {}
        form = ScheduleForm(instance=schedule, initial=initial)
        params_form = kind.parameters_form(initial=initial_params, prefix="p") if kind else None
    form.fields["kind"].widget.attrs["hx-get"] = request.path
    return render(
        request,
        "reports/schedule_form.html",
        {"form": form, "params_form": params_form, "schedule": schedule, "kind": kind},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("reports.add_reportschedule", raise_exception=True)
def schedule_create(request):
    return _schedule_form_page(request, None)


@login_required
@permission_required("reports.change_reportschedule", raise_exception=True)
def schedule_edit(request, pk):
    return _schedule_form_page(request, get_object_or_404(ReportSchedule, pk=pk))


@login_required
@permission_required("reports.delete_reportschedule", raise_exception=True)
@require_POST
def schedule_delete(request, pk):
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    services.report_schedule_delete(schedule=schedule, actor=request.user)
    messages.success(request, _("Schedule “%(name)s” deleted.") % {"name": schedule.name})
    return redirect("reports:schedules")
