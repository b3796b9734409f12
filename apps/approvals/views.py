from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.excel import XLSX_CONTENT_TYPE

from . import selectors, services
from .excel import adjustment_records_workbook, function_changes_workbook
from .forms import (
    AdjustmentFilterForm,
    AdjustmentRecordForm,
    CommentForm,
    DecisionForm,
    FunctionChangeFilterForm,
    FunctionChangeForm,
    ImplementForm,
)
from .models import FunctionChange

PAGE_SIZE = 25


def _form_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require(user, *perms):
    if not any(user.has_perm(p) for p in perms):
        raise PermissionDenied


def _get_change(request, pk) -> FunctionChange:
    change = selectors.function_change_get(request_id=pk, user=request.user)
    if change is None:
        if not selectors.user_can_view_function_changes(request.user):
            raise PermissionDenied
        from django.http import Http404

        raise Http404
    return change


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def my_requests(request):
    _require(request.user, "approvals.add_functionchange", "approvals.view_functionchange")
    form = FunctionChangeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.function_change_list(user=request.user, mine=True, **data)
    return render(
        request,
        "approvals/request_list.html",
        {
            "page_obj": _page(request, qs),
            "filter_form": form,
            "mode": "mine",
            "title": _("My function changes"),
        },
    )


@login_required
def request_list(request):
    _require(request.user, "approvals.view_functionchange")
    form = FunctionChangeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.function_change_list(user=request.user, **data)
    return render(
        request,
        "approvals/request_list.html",
        {
            "page_obj": _page(request, qs),
            "filter_form": form,
            "mode": "all",
            "title": _("All function changes"),
        },
    )


@login_required
def request_export(request):
    _require(request.user, "approvals.view_functionchange")
    form = FunctionChangeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.function_change_list(user=request.user, **data).select_related(
        "implemented_by", "verified_by"
    )
    return _xlsx(function_changes_workbook(qs.iterator(chunk_size=500)), "function-changes")


def _xlsx(book, stem):
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    name = "{}-{}.xlsx".format(stem, timezone.localdate().strftime("%Y%m%d"))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    book.save(response)
    return response


@login_required
def queue(request):
    _require(request.user, "approvals.approve_functionchange")
    qs = selectors.function_change_pending_queue()
    return render(
        request,
        "approvals/queue.html",
        {"page_obj": _page(request, qs), "now": timezone.now(), "user_id": request.user.pk},
    )


@login_required
def request_create(request):
    _require(request.user, "approvals.add_functionchange")
    form = FunctionChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.function_change_create(
                actor=request.user, submit="submit" in request.POST, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if change.status == FunctionChange.Status.SUBMITTED:
                messages.success(
                    request, _("Request %(code)s was submitted for approval.") % {"code": change.code}
                )
            else:
                messages.success(request, _("Request %(code)s was saved as a draft.") % {"code": change.code})
            return redirect(change)
    return render(request, "approvals/request_form.html", {"form": form, "change": None})


@login_required
def request_edit(request, pk):
    change = _get_change(request, pk)
    if "edit" not in selectors.function_change_actions_for(change=change, user=request.user):
        raise PermissionDenied
    form = FunctionChangeForm(request.POST or None, instance=change)
    if request.method == "POST" and form.is_valid():
        was = change.revision
        try:
            change = services.function_change_update(actor=request.user, change=change, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if change.revision != was:
                messages.warning(
                    request,
                    _("The request was changed, so it is pending approval again (version %(n)s).")
                    % {"n": change.revision},
                )
            else:
                messages.success(request, _("The request was saved."))
            return redirect(change)
    return render(request, "approvals/request_form.html", {"form": form, "change": change})


@login_required
def request_detail(request, pk):
    change = _get_change(request, pk)
    actions = selectors.function_change_actions_for(change=change, user=request.user)
    decided = change.decided_revision
    return render(
        request,
        "approvals/request_detail.html",
        {
            "change": change,
            "actions": actions,
            "history": selectors.function_change_history(change=change),
            "decided_items": decided.display_items() if decided else None,
            "decision_is_current": bool(decided and decided.number == change.revision),
            "comment_form": CommentForm(),
            "adjustment": getattr(change, "adjustment", None) if change.is_approved else None,
            "self_request": change.requester_id == request.user.pk,
        },
    )


def _simple_action(request, pk, service, done_message):
    change = _get_change(request, pk)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        change = service(actor=request.user, change=change, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect(change)


@login_required
@require_POST
def request_submit(request, pk):
    return _simple_action(
        request, pk, services.function_change_submit, _("The request was submitted for approval.")
    )


@login_required
@require_POST
def request_withdraw(request, pk):
    return _simple_action(request, pk, services.function_change_withdraw, _("The request was withdrawn."))


@login_required
@require_POST
def request_verify(request, pk):
    return _simple_action(
        request, pk, services.function_change_verify, _("The change was verified and closed.")
    )


@login_required
def request_decide(request, pk):
    _require(request.user, "approvals.approve_functionchange")
    change = _get_change(request, pk)
    if change.requester_id == request.user.pk:
        raise PermissionDenied(_("You may not decide your own request; another approver must decide it."))
    form = DecisionForm(request.POST or None, initial={"revision": change.revision})
    if request.method == "POST" and form.is_valid():
        service = (
            services.function_change_approve
            if form.cleaned_data["decision"] == "approve"
            else services.function_change_reject
        )
        try:
            change = service(
                actor=request.user,
                change=change,
                comment=form.cleaned_data["comment"],
                revision=form.cleaned_data["revision"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if change.status == FunctionChange.Status.APPROVED:
                messages.success(request, _("Request %(code)s was approved.") % {"code": change.code})
            else:
                messages.warning(request, _("Request %(code)s was rejected.") % {"code": change.code})
            return redirect("approvals:queue")
    earlier, differences = selectors.function_change_changes_since_last_decision(change=change)
    return render(
        request,
        "approvals/request_decide.html",
        {
            "change": change,
            "form": form,
            "history": selectors.function_change_history(change=change),
            "earlier": earlier,
            "differences": differences,
        },
    )


@login_required
def request_implement(request, pk):
    _require(request.user, "approvals.implement_functionchange")
    change = _get_change(request, pk)
    form = ImplementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.function_change_implement(
                actor=request.user,
                change=change,
                implemented_at=form.cleaned_data["implemented_at"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Request %(code)s is implemented; adjustment record %(record)s was written.")
                % {"code": change.code, "record": change.adjustment.code},
            )
            return redirect(change)
    return render(request, "approvals/request_implement.html", {"change": change, "form": form})


def _adjustment_filters(request):
    form = AdjustmentFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def adjustment_list(request):
    _require(request.user, "approvals.view_adjustmentrecord")
    form, data = _adjustment_filters(request)
    qs = selectors.adjustment_record_list(**data)
    return render(
        request, "approvals/adjustment_list.html", {"page_obj": _page(request, qs), "filter_form": form}
    )


@login_required
def adjustment_export(request):
    _require(request.user, "approvals.view_adjustmentrecord")
    _form, data = _adjustment_filters(request)
    records = selectors.adjustment_record_list(**data).iterator(chunk_size=500)
    return _xlsx(adjustment_records_workbook(records), "adjustment-records")


@login_required
def adjustment_create(request):
    _require(request.user, "approvals.add_adjustmentrecord")
    form = AdjustmentRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.adjustment_record_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Adjustment record %(code)s was logged.") % {"code": record.code})
            return redirect("approvals:adjustments")
    return render(request, "approvals/adjustment_form.html", {"form": form})
