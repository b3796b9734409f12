import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.excel import XLSX_CONTENT_TYPE

from . import selectors, services
from .exports import calls_workbook, figures_workbook
from .forms import (
    CallbackDoneForm,
    CallForm,
    FiguresForm,
    LineForm,
    UseDecisionForm,
    UseRequestForm,
    add_service_errors,
)
from .models import Call, Callback, Line, UseRequest

PAGE_SIZE = 50


def _back(request, default: str):
    """Redirect to the page the form came from when it is on this site, else to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _perm(name):
    return permission_required(name, raise_exception=True)


# Lines -------------------------------------------------------------------------------------------


@login_required
@_perm("frontdesk.view_line")
def line_list(request):
    return render(request, "frontdesk/line_list.html", {"lines": selectors.line_list()})


@login_required
@_perm("frontdesk.add_line")
def line_new(request):
    form = LineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.line_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Line %(number)s registered.") % {"number": line.number})
            return redirect("frontdesk:line_list")
    return render(request, "frontdesk/line_form.html", {"form": form})


@login_required
@_perm("frontdesk.change_line")
def line_edit(request, pk):
    line = get_object_or_404(Line, pk=pk)
    form = LineForm(request.POST or None, instance=Line.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.line_update(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Line %(number)s saved.") % {"number": form.cleaned_data["number"]})
            return redirect("frontdesk:line_list")
    return render(request, "frontdesk/line_form.html", {"form": form, "line": line})


# Calls -------------------------------------------------------------------------------------------


@login_required
@_perm("frontdesk.add_call")
def call_new(request):
    """The touch-friendly page for logging a call while (or right after) answering it."""
    lines = selectors.line_list(active_only=True)
    form = CallForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_log(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not call.answerer_allowed:
                messages.warning(
                    request,
                    _(
                        "Your role may not answer line %(number)s during working hours. The call was "
                        "recorded as answered by someone not allowed; please leave this line to the "
                        "front desk, the shift leader or the floor manager."
                    )
                    % {"number": call.line.number},
                )
            if call.outcome == Call.Outcome.CALLBACK:
                messages.success(
                    request,
                    _("Call logged. Call %(name)s back at %(number)s by %(due)s.")
                    % {
                        "name": call.caller_name,
                        "number": call.caller_number,
                        "due": timezone.localtime(call.callback.due_at).strftime("%H:%M"),
                    },
                )
            else:
                messages.success(request, _("Call logged."))
            return redirect("frontdesk:call_new")
    lines = list(lines)
    not_allowed = [line.pk for line in lines if not line.may_answer(request.user)]
    return render(
        request,
        "frontdesk/call_new.html",
        {
            "form": form,
            "lines": lines,
            "not_allowed": not_allowed,
            "ring_choices": range(1, 7),
            "counts": selectors.callback_counts(),
        },
    )


def _filtered_calls(request):
    line = request.GET.get("line", "")
    person = request.GET.get("person", "")
    return selectors.call_list(
        line=int(line) if line.isdigit() else None,
        answered_by=int(person) if person.isdigit() else None,
        day_from=selectors.parse_day(request.GET.get("from")),
        day_to=selectors.parse_day(request.GET.get("to")),
        kind=request.GET.get("kind", ""),
        outcome=request.GET.get("outcome", ""),
        not_allowed_only=request.GET.get("not_allowed") == "1",
    )


@login_required
@_perm("frontdesk.view_call")
def call_list(request):
    calls = _filtered_calls(request)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "frontdesk/call_list.html",
        {
            "page_obj": page,
            "lines": selectors.line_list(),
            "kinds": Call.Kind.choices,
            "outcomes": Call.Outcome.choices,
            "filters": request.GET,
        },
    )


@login_required
@_perm("frontdesk.view_call")
def call_export(request):
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="frontdesk-calls-{stamp}.xlsx"'
    calls_workbook(_filtered_calls(request)).save(response)
    return response


# Callbacks ---------------------------------------------------------------------------------------

CALLBACK_TABS = [
    (selectors.CallbackState.OPEN, gettext_lazy("Open")),
    (selectors.CallbackState.OVERDUE, gettext_lazy("Overdue")),
    (selectors.CallbackState.DUE, gettext_lazy("Due")),
    (selectors.CallbackState.DONE, gettext_lazy("Done")),
]


@login_required
@_perm("frontdesk.view_callback")
def callback_list(request):
    state = request.GET.get("state") or selectors.CallbackState.OPEN
    if state not in {tab for tab, _label in CALLBACK_TABS}:
        state = selectors.CallbackState.OPEN
    now = timezone.now()
    page = Paginator(selectors.callback_list(state=state, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "frontdesk/callback_list.html",
        {
            "page_obj": page,
            "state": state,
            "tabs": CALLBACK_TABS,
            "now": now,
            "counts": selectors.callback_counts(now=now),
        },
    )


@login_required
@require_POST
@_perm("frontdesk.change_callback")
def callback_done(request, pk):
    callback = get_object_or_404(Callback, pk=pk)
    form = CallbackDoneForm(request.POST)
    form.is_valid()
    try:
        services.callback_complete(
            actor=request.user, callback=callback, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Callback marked as done."))
    return _back(request, "frontdesk:callback_list")


# Personal use ------------------------------------------------------------------------------------


def _may_use_requests(user) -> bool:
    return user.has_perm("frontdesk.add_userequest") or user.has_perm("frontdesk.view_userequest")


@login_required
def use_request_list(request):
    if not _may_use_requests(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in UseRequest.Status.values:
        status = ""
    page = Paginator(selectors.use_request_list(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "frontdesk/use_request_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": UseRequest.Status.choices,
            "may_decide": request.user.has_perm("frontdesk.decide_userequest"),
        },
    )


@login_required
@_perm("frontdesk.add_userequest")
def use_request_new(request):
    form = UseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.use_request_submit(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request sent to the floor manager."))
            return redirect("frontdesk:use_request_list")
    return render(request, "frontdesk/use_request_form.html", {"form": form})


@login_required
@require_POST
def use_request_decide(request, pk):
    use_request = get_object_or_404(UseRequest, pk=pk)
    form = UseDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("frontdesk:use_request_list")
    try:
        services.use_request_decide(
            actor=request.user,
            use_request=use_request,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return _back(request, "frontdesk:use_request_list")


# Figures -----------------------------------------------------------------------------------------


def _figures_for(request):
    form = FiguresForm(request.GET or None)
    period, day = form.period_value()
    if period == "month":
        start, end = selectors.month_range(day)
    else:
        start, end = selectors.day_range(day)
    return form, period, day, selectors.figures(start=start, end=end, by_day=period == "month")


@login_required
@_perm("frontdesk.view_figures")
def figures(request):
    form, period, day, result = _figures_for(request)
    return render(
        request,
        "frontdesk/figures.html",
        {
            "form": form,
            "period": period,
            "day": day,
            "last_day": timezone.localtime(result.end).date() - datetime.timedelta(days=1),
            "figures": result,
        },
    )


@login_required
@_perm("frontdesk.view_figures")
def figures_export(request):
    _form, period, day, result = _figures_for(request)
    stamp = day.strftime("%Y-%m") if period == "month" else day.isoformat()
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="frontdesk-{stamp}.xlsx"'
    figures_workbook(result, title=stamp).save(response)
    return response
