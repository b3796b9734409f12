import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.excel import XLSX_CONTENT_TYPE, Column, StreamedWorkbook

from . import patch_table, rules, selectors, services
from .errors import PlanStepFailed, WorkOrderConflict
from .filters import OrderFilter
from .forms import AssignForm, CommentForm, OrderForm, PlanForm, ReasonForm, StepFormSet
from .function_changes import function_change_describe, function_change_is_approved
from .models import OrderKind, PlanStep

SCOPE_LABELS = {
    "mine": gettext_lazy("My requests"),
    "waiting": gettext_lazy("Waiting for assignment"),
    "assigned": gettext_lazy("My assigned work"),
    "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All orders"),
}


#: The columns a list can be sorted by (``?sort=…``, a leading minus for descending).
SORTS = {"number", "-number", "wanted_date", "-wanted_date", "created_at", "-created_at", "status", "-status"}


def _scopes_for(user) -> list[str]:
    scopes = ["mine"]
    if rules.can_dispatch(user) or rules.can_execute(user):
        scopes += ["waiting", "assigned"]
    if rules.can_view_all(user):
        scopes += ["overdue", "all"]
    return scopes


def _order_or_404(request, pk):
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404
    return order


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def order_list(request):
    scopes = _scopes_for(request.user)
    scope = request.GET.get("scope") or ("assigned" if "assigned" in scopes else "mine")
    if scope not in scopes:
        raise PermissionDenied
    filterset = OrderFilter(request.GET, queryset=selectors.order_list(user=request.user, scope=scope))
    queryset = filterset.qs
    sort = request.GET.get("sort", "")
    if sort in SORTS:
        queryset = queryset.order_by(sort, "pk")
    if request.GET.get("export") == "xlsx":
        return _export(queryset, scope)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "workorders/list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "scope": scope,
            "scopes": [(s, SCOPE_LABELS[s]) for s in scopes],
            "scope_label": SCOPE_LABELS[scope],
            "sort": sort,
            "today": timezone.localdate(),
            "can_create": rules.can_create(request.user),
        },
    )


EXPORT_COLUMNS = [
    Column(gettext_lazy("Order number"), 16),
    Column(gettext_lazy("Kind"), 10),
    Column(gettext_lazy("Status"), 10),
    Column(gettext_lazy("Requester"), 12),
    Column(gettext_lazy("Department"), 14),
    Column(gettext_lazy("Phone user"), 12),
    Column(gettext_lazy("Contact phone"), 14),
    Column(gettext_lazy("Building"), 8),
    Column(gettext_lazy("Floor"), 6),
    Column(gettext_lazy("Room"), 8),
    Column(gettext_lazy("Outlet"), 12),
    Column(gettext_lazy("Extension"), 10),
    Column(gettext_lazy("New extension"), 10),
    Column(gettext_lazy("Wanted date"), 12),
    Column(gettext_lazy("Engineer"), 12),
    Column(gettext_lazy("Submitted at"), 17),
    Column(gettext_lazy("Completed at"), 17),
    Column(gettext_lazy("Notes"), 30),
]


def _export(queryset, scope):
    book = StreamedWorkbook()
    sheet = book.sheet(_("Work orders"), [Column(str(c.header), c.width) for c in EXPORT_COLUMNS])
    for o in queryset.iterator(chunk_size=500):
        sheet.append(
            [
                o.number,
                o.get_kind_display(),
                o.get_status_display(),
                str(o.requester),
                str(o.department),
                o.person,
                o.contact_phone,
                o.building,
                o.floor,
                o.room,
                o.outlet,
                o.extension,
                o.new_extension or o.planned_extension,
                o.wanted_date,
                str(o.assignee) if o.assignee_id else "",
                o.submitted_at,
                o.completed_at,
                o.notes,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"workorders-{scope}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def order_create(request):
    if not rules.can_create(request.user):
        raise PermissionDenied
    initial = {
        "kind": request.GET.get("kind") or OrderKind.INSTALL,
        "department": request.user.department_id,
        "person": request.user.get_full_name(),
        "contact_phone": request.user.extension,
    }
    form = OrderForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(
                actor=request.user, submit="submit" in request.POST, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(request, _("Work order %(number)s saved.") % {"number": order.number})
            return redirect(order)
    return render(request, "workorders/form.html", {"form": form, "order": None})


def _add_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def order_edit(request, pk):
    order = _order_or_404(request, pk)
    if not rules.allowed(request.user, order, "edit"):
        raise PermissionDenied
    form = OrderForm(request.POST or None, instance=order, editing=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
        order.refresh_from_db()
        try:
            services.order_update(actor=request.user, order=order, **fields)
            if "submit" in request.POST:
                services.order_submit(actor=request.user, order=order)
        except ValidationError as exc:
            _add_form_errors(form, exc)
        except WorkOrderConflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Work order %(number)s saved.") % {"number": order.number})
            return redirect(order)
    return render(request, "workorders/form.html", {"form": form, "order": order})


@login_required
def order_detail(request, pk):
    order = _order_or_404(request, pk)
    fc = order.function_change_request
    return render(
        request,
        "workorders/detail.html",
        {
            "order": order,
            "steps": list(order.steps.all()),
            "failed_step": int(request.GET["failed_step"])
            if request.GET.get("failed_step", "").isdigit()
            else 0,
            "history": selectors.order_history(order=order),
            "actions": rules.actions_for(request.user, order),
            "assign_form": AssignForm(initial={"assignee": order.assignee_id}),
            "reason_form": ReasonForm(),
            "comment_form": CommentForm(),
            "function_change_approved": function_change_is_approved(request_id=fc) if fc else None,
            "function_change": function_change_describe(request_id=fc) if fc else None,
        },
    )


@login_required
def order_print(request, pk):
    order = _order_or_404(request, pk)
    return render(
        request,
        "workorders/print.html",
        {
            "order": order,
            "steps": list(order.steps.all()),
            "history": selectors.order_history(order=order),
            "printed_at": timezone.localtime(),
        },
    )


@login_required
def order_plan(request, pk):
    order = _order_or_404(request, pk)
    if not rules.allowed(request.user, order, "plan"):
        raise PermissionDenied
    steps = [
        {"action": s.action, "terminal_a": s.terminal_a, "terminal_b": s.terminal_b, "note": s.note}
        for s in order.steps.all()
    ]
    suggestion = None
    if request.method == "GET" and not steps and (suggestion := patch_table.plan_suggestion(order=order)):
        steps = suggestion.get("steps", [])
    initial = {
        "port": order.planned_port or (suggestion or {}).get("port", ""),
        "extension": order.planned_extension
        or (suggestion or {}).get("extension", "")
        or order.target_extension,
        "outlet": order.planned_outlet or (suggestion or {}).get("outlet", "") or order.outlet,
        "notes": order.plan_notes,
    }
    form = PlanForm(request.POST or None, initial=initial)
    formset = StepFormSet(request.POST or None, initial=steps + [{}] * max(4 - len(steps), 1), prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.order_plan(
                actor=request.user,
                order=order,
                steps=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _errors(request, exc)
        except WorkOrderConflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Plan of %(number)s saved; its terminals are reserved.") % {"number": order.number}
            )
            return redirect(order)
    return render(
        request,
        "workorders/plan.html",
        {
            "order": order,
            "form": form,
            "formset": formset,
            "suggested": bool(suggestion),
            "free_terminals": patch_table.free_terminals_near(order=order),
            "free_ports": patch_table.free_ports(),
            "room_outlets": patch_table.outlets_in_room(order=order),
            "current_location": patch_table.extension_location(number=order.extension),
            "actions_choices": [("", "—"), *PlanStep.Action.choices],
        },
    )


def _transition(request, pk, run, done_message):
    order = _order_or_404(request, pk)
    try:
        run(order)
    except PlanStepFailed as exc:
        messages.error(request, exc.message)
        messages.info(request, _("Nothing was applied: the patch table is unchanged."))
        if exc.position:
            return redirect(f"{order.get_absolute_url()}?failed_step={exc.position}")
    except WorkOrderConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done_message % {"number": order.number})
    return redirect(order)


@login_required
@require_POST
def order_submit(request, pk):
    comment = request.POST.get("comment", "")
    return _transition(
        request,
        pk,
        lambda o: services.order_submit(actor=request.user, order=o, comment=comment),
        _("%(number)s submitted."),
    )


@login_required
@require_POST
def order_assign(request, pk):
    form = AssignForm(request.POST)
    if not form.is_valid():
        order = _order_or_404(request, pk)
        if not rules.can_assign(request.user, order):
            raise PermissionDenied
        messages.error(request, _("Choose an engineer who can carry out work orders."))
        return redirect(order)
    data = form.cleaned_data
    return _transition(
        request,
        pk,
        lambda o: services.order_assign(
            actor=request.user, order=o, assignee=data["assignee"], comment=data["comment"]
        ),
        _("%(number)s assigned."),
    )


@login_required
@require_POST
def order_return(request, pk):
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        pk,
        lambda o: services.order_return(actor=request.user, order=o, reason=reason),
        _("%(number)s returned to the requester."),
    )


@login_required
@require_POST
def order_start(request, pk):
    comment = request.POST.get("comment", "")
    return _transition(
        request,
        pk,
        lambda o: services.order_start(actor=request.user, order=o, comment=comment),
        _("%(number)s started."),
    )


@login_required
@require_POST
def order_complete(request, pk):
    comment = request.POST.get("comment", "")
    return _transition(
        request,
        pk,
        lambda o: services.order_complete(actor=request.user, order=o, comment=comment),
        _("%(number)s completed; the patch table is updated."),
    )


@login_required
@require_POST
def order_cancel(request, pk):
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        pk,
        lambda o: services.order_cancel(actor=request.user, order=o, reason=reason),
        _("%(number)s cancelled."),
    )
