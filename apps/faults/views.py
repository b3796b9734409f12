import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.core.excel import XLSX_CONTENT_TYPE, Column, StreamedWorkbook

from . import selectors, services
from .forms import (
    AccessEntryForm,
    ActionForm,
    ChecklistItemForm,
    ChecklistTemplateForm,
    CloseForm,
    DocumentForm,
    DocumentVersionForm,
    FaultReportForm,
    InspectionForm,
    ReasonForm,
    RestoreForm,
    TargetForm,
)
from .models import (
    AccessEntry,
    Cause,
    Channel,
    ChecklistItem,
    ChecklistTemplate,
    DocumentVersion,
    Fault,
    ItemKind,
    Severity,
)


def _errors_to_form(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field when it exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _workbook_response(book: StreamedWorkbook, filename: str) -> FileResponse:
    """Save the workbook to a spooled temporary file and stream it (an HttpResponse is slow to seek in)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _message_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# Faults -------------------------------------------------------------------------------------


@login_required
def fault_list(request):
    """Engineers: the queue of every fault; everybody else: the faults they reported."""
    may_work = selectors.fault_may_work(request.user)
    sees_all = request.user.has_perm("faults.view_fault")
    status = request.GET.get("status", "open" if sees_all else "")
    faults = selectors.fault_list(
        user=request.user,
        status=status,
        severity=request.GET.get("severity", ""),
        q=request.GET.get("q", ""),
        mine=request.GET.get("mine") == "1",
    )
    if status == "open":
        faults = selectors.fault_queue_order(faults)
    page = Paginator(faults, 30).get_page(request.GET.get("page"))
    page.object_list = selectors.fault_attach_deadlines(page.object_list)
    return render(
        request,
        "faults/fault_list.html",
        {
            "page_obj": page,
            "faults": page.object_list,
            "may_work": may_work,
            "sees_all": sees_all,
            "status": status,
            "statuses": Fault.Status.choices,
            "severities": Severity.choices,
        },
    )


@login_required
def fault_report(request):
    """The quick report form anyone can use."""
    initial = {"contact": request.user.extension or ""}
    form = FaultReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fault = services.fault_report(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Fault %(number)s reported. The engineers have been told.") % {"number": fault.number},
            )
            return redirect(fault)
    return render(request, "faults/fault_report.html", {"form": form})


@login_required
def fault_detail(request, number):
    fault = selectors.fault_get(user=request.user, number=number)
    selectors.fault_attach_deadlines([fault])
    may_work = selectors.fault_may_work(request.user)
    history_count = 0
    if request.user.has_perm("faults.view_fault"):
        history_count = (
            Fault.objects.filter(item_kind=fault.item_kind, item__iexact=fault.item)
            .exclude(pk=fault.pk)
            .count()
        )
    return render(
        request,
        "faults/fault_detail.html",
        {
            "fault": fault,
            "timeline": selectors.fault_timeline(fault=fault),
            "may_work": may_work,
            "history_count": history_count,
            "action_form": ActionForm(),
            "hold_form": ReasonForm(prefix="hold"),
            "reopen_form": ReasonForm(prefix="reopen"),
            "restore_form": RestoreForm(),
            "close_form": CloseForm(),
            "S": Fault.Status,
        },
    )


TRANSITIONS = {
    "acknowledge": (services.fault_acknowledge, None, _("Fault acknowledged.")),
    "take": (services.fault_take, None, _("You are now working on this fault.")),
    "resume": (services.fault_resume, None, _("Work on the fault resumed.")),
    "hold": (services.fault_hold, ("hold", ReasonForm), _("Fault put on hold.")),
    "restore": (services.fault_restore, ("", RestoreForm), _("Service marked restored.")),
    "close": (services.fault_close, ("", CloseForm), _("Fault closed.")),
    "reopen": (services.fault_reopen, ("reopen", ReasonForm), _("Fault reopened.")),
    "action": (services.fault_action_add, ("", ActionForm), _("Action recorded.")),
}


@login_required
@require_POST
def fault_transition(request, number, transition):
    if transition not in TRANSITIONS:
        raise Http404
    if not selectors.fault_may_work(request.user):
        raise PermissionDenied
    fault = selectors.fault_get(user=request.user, number=number)
    service, form_spec, done = TRANSITIONS[transition]
    kwargs = {}
    if form_spec:
        prefix, form_class = form_spec
        form = form_class(request.POST, prefix=prefix or None)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect(fault)
        kwargs = {k: v for k, v in form.cleaned_data.items() if v is not None or k != "performed_at"}
    try:
        service(fault=fault, actor=request.user, **kwargs)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, str(done))
    return redirect(fault)


@login_required
def fault_item_history(request):
    kind = request.GET.get("kind", ItemKind.EXTENSION)
    item = request.GET.get("item", "").strip()
    if kind not in ItemKind.values:
        kind = ItemKind.EXTENSION
    faults = (
        selectors.fault_item_history(user=request.user, item_kind=kind, item=item)
        if item
        else Fault.objects.none()
    )
    page = Paginator(faults, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "faults/item_history.html",
        {
            "page_obj": page,
            "kind": kind,
            "kind_label": ItemKind(kind).label,
            "item": item,
            "kinds": ItemKind.choices,
            "repeated": selectors.fault_repeated_items()
            if request.user.has_perm("faults.view_fault")
            else [],
        },
    )


@login_required
@permission_required("faults.view_fault", raise_exception=True)
def fault_statistics(request):
    stats = selectors.fault_statistics()
    chart = {
        "labels": [m["month"] for m in stats["monthly"]],
        "counts": [m["count"] for m in stats["monthly"]],
        "mtta": [m["mtta"] for m in stats["monthly"]],
        "mttr": [m["mttr_hours"] for m in stats["monthly"]],
    }
    return render(request, "faults/statistics.html", {"stats": stats, "chart": chart})


@login_required
@permission_required("faults.view_fault", raise_exception=True)
def fault_export(request):
    """The faults of the last twelve months (and their MTTR figures) as an Excel workbook."""
    stats = selectors.fault_statistics()
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Faults"),
        [
            Column(_("Fault number"), 16),
            Column(_("Affected item"), 12),
            Column(_("Designation"), 18),
            Column(_("Symptom"), 40),
            Column(_("Severity"), 8),
            Column(pgettext("channel", "Reported by"), 8),
            Column(_("Reporter"), 12),
            Column(_("Reported at"), 17),
            Column(_("Acknowledged at"), 17),
            Column(_("Restored at"), 17),
            Column(_("Minutes to acknowledge"), 10),
            Column(_("Minutes to restore"), 10),
            Column(_("Status"), 10),
            Column(_("Engineer"), 12),
            Column(_("Cause"), 12),
            Column(_("Times reopened"), 8),
        ],
    )
    # Choice labels translated once, not once per cell.
    kinds, severities, channels = _labels(ItemKind), _labels(Severity), _labels(Channel)
    statuses, causes = _labels(Fault.Status), _labels(Cause)
    for f in selectors.fault_export_rows(user=request.user, since=stats["since"]):
        sheet.append(
            [
                f.number,
                kinds[f.item_kind],
                f.item,
                f.symptom,
                severities[f.severity],
                channels[f.channel],
                str(f.reporter),
                f.reported_at,
                f.acknowledged_at,
                f.restored_at,
                round((f.acknowledged_at - f.reported_at).total_seconds() / 60, 1)
                if f.acknowledged_at
                else None,
                round((f.restored_at - f.reported_at).total_seconds() / 60, 1) if f.restored_at else None,
                statuses[f.status],
                str(f.assignee) if f.assignee else "",
                causes.get(f.cause, ""),
                f.reopen_count,
            ]
        )
    monthly = book.sheet(
        _("MTTR per month"),
        [
            Column(_("Month"), 10),
            Column(_("Faults"), 8),
            Column(_("Mean minutes to acknowledge"), 14),
            Column(_("Mean minutes to restore"), 14),
        ],
    )
    for m in stats["monthly"]:
        monthly.append([m["month"], m["count"], m["mtta"], m["mttr"]])
    causes = book.sheet(
        _("MTTR per cause"),
        [Column(_("Cause"), 14), Column(_("Faults"), 8), Column(_("Mean minutes to restore"), 14)],
    )
    for c in stats["causes"]:
        causes.append([str(c["label"]), c["count"], c["mttr"]])
    return _workbook_response(book, f"faults-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def response_targets(request):
    if not request.user.has_perm("faults.view_responsetarget"):
        raise PermissionDenied
    rows = selectors.response_target_rows()
    may_change = request.user.has_perm("faults.change_responsetarget")
    form = TargetForm(request.POST or None, rows=rows)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                for row in rows:
                    services.response_target_update(
                        actor=request.user,
                        severity=row["severity"],
                        respond_minutes=form.cleaned_data[f"{row['severity']}_respond"],
                        restore_minutes=form.cleaned_data[f"{row['severity']}_restore"],
                    )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Response and restore targets saved."))
                return redirect("faults:targets")
    return render(request, "faults/targets.html", {"form": form, "rows": rows, "may_change": may_change})


# Inspections --------------------------------------------------------------------------------


@login_required
@permission_required("faults.view_inspectionround", raise_exception=True)
def inspection_list(request):
    page = Paginator(selectors.inspection_round_list(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "faults/inspection_list.html",
        {
            "page_obj": page,
            "status": selectors.inspection_status(),
            "templates": selectors.checklist_templates_active(),
        },
    )


@login_required
@permission_required("faults.add_inspectionround", raise_exception=True)
def inspection_record(request, template_pk):
    """The phone-sized page an engineer fills in while walking the room."""
    template = get_object_or_404(ChecklistTemplate, pk=template_pk, active=True)
    items = list(template.items.all())
    form = InspectionForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.inspection_round_record(
                template=template,
                actor=request.user,
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if round_.abnormal_count:
                messages.warning(
                    request,
                    _("Round recorded: %(n)s abnormal items, a fault was opened for each.")
                    % {"n": round_.abnormal_count},
                )
            else:
                messages.success(request, _("Round recorded: everything normal."))
            return redirect(round_)
    return render(request, "faults/inspection_record.html", {"form": form, "template": template})


@login_required
@permission_required("faults.view_inspectionround", raise_exception=True)
def inspection_detail(request, pk):
    round_ = selectors.inspection_round_get(pk=pk)
    return render(
        request,
        "faults/inspection_detail.html",
        {"round": round_, "results": selectors.inspection_results(round_=round_)},
    )


# Access log ---------------------------------------------------------------------------------


@login_required
@permission_required("faults.view_accessentry", raise_exception=True)
def access_log(request):
    may_add = request.user.has_perm("faults.add_accessentry")
    form = AccessEntryForm(request.POST or None)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                entry = services.access_entry_record(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("%(name)s signed in to the room.") % {"name": entry.person_name})
                return redirect("faults:access_log")
    page = Paginator(selectors.access_entry_list(q=request.GET.get("q", "")), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "faults/access_log.html",
        {"form": form, "page_obj": page, "in_room": selectors.access_in_room_now(), "may_add": may_add},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("faults.change_accessentry", raise_exception=True)
@require_POST
def access_sign_out(request, pk):
    entry = get_object_or_404(AccessEntry, pk=pk)
    try:
        services.access_entry_sign_out(entry=entry, actor=request.user)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("%(name)s signed out.") % {"name": entry.person_name})
    return redirect("faults:access_log")


@login_required
@permission_required("faults.view_accessentry", raise_exception=True)
def access_export(request):
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Access log"),
        [
            Column(pgettext("person", "Name"), 14),
            Column(_("Organisation"), 18),
            Column(_("Purpose"), 30),
            Column(_("Equipment-room staff"), 10),
            Column(_("Escorted by"), 12),
            Column(_("Time in"), 17),
            Column(_("Time out"), 17),
            Column(_("Recorded by"), 12),
        ],
    )
    for e in selectors.access_entry_list().iterator(chunk_size=500):
        sheet.append(
            [
                e.person_name,
                e.organisation,
                e.purpose,
                _("Yes") if e.room_staff else _("No"),
                str(e.escort) if e.escort else "",
                e.entered_at,
                e.left_at,
                str(e.recorded_by),
            ]
        )
    return _workbook_response(book, f"access-log-{timezone.localdate():%Y%m%d}.xlsx")


# Documents ----------------------------------------------------------------------------------


@login_required
@permission_required("faults.view_document", raise_exception=True)
def document_list(request):
    may_add = request.user.has_perm("faults.add_document")
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_create(
                    actor=request.user,
                    title=data["title"],
                    category=data["category"],
                    description=data["description"],
                    upload=data["file"],
                    note=data["note"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("%(title)s is on the shelf.") % {"title": document.title})
                return redirect(document)
    documents = selectors.document_list(category=request.GET.get("category", ""), q=request.GET.get("q", ""))
    page = Paginator(documents, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "faults/document_list.html",
        {"form": form, "page_obj": page, "may_add": may_add},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("faults.view_document", raise_exception=True)
def document_detail(request, pk):
    document = selectors.document_get(pk=pk)
    may_add = request.user.has_perm("faults.add_documentversion")
    form = DocumentVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                version = services.document_version_add(
                    document=document,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Version %(n)s uploaded.") % {"n": version.number})
                return redirect(document)
    return render(
        request,
        "faults/document_detail.html",
        {
            "document": document,
            "versions": selectors.document_versions(document=document),
            "form": form,
            "may_add": may_add,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("faults.view_document", raise_exception=True)
def document_download(request, pk):
    """Serve a stored file only to those who may see the shelf, always as a download."""
    version = get_object_or_404(DocumentVersion, pk=pk)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type="application/octet-stream"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Checklist templates ------------------------------------------------------------------------


@login_required
@permission_required("faults.view_checklisttemplate", raise_exception=True)
def checklist_list(request):
    may_change = request.user.has_perm("faults.add_checklisttemplate")
    form = ChecklistTemplateForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                template = services.checklist_template_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Checklist %(name)s saved.") % {"name": template.name})
                return redirect("faults:checklist_detail", pk=template.pk)
    templates = ChecklistTemplate.objects.annotate(item_count=Count("items")).order_by("-active", "name")
    return render(
        request,
        "faults/checklist_list.html",
        {"templates": templates, "form": form, "may_change": may_change},
    )


@login_required
@permission_required("faults.view_checklisttemplate", raise_exception=True)
def checklist_detail(request, pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    may_change = request.user.has_perm("faults.change_checklisttemplate")
    template_form = ChecklistTemplateForm(
        request.POST if request.POST.get("what") == "template" else None,
        initial={
            "name": template.name,
            "room": template.room,
            "frequency": template.frequency,
            "active": template.active,
        },
    )
    item_form = ChecklistItemForm(request.POST if request.POST.get("what") == "item" else None)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "template" and template_form.is_valid():
                services.checklist_template_save(
                    actor=request.user, template=template, **template_form.cleaned_data
                )
                messages.success(request, _("Checklist %(name)s saved.") % {"name": template.name})
                return redirect("faults:checklist_detail", pk=template.pk)
            if what == "item" and item_form.is_valid():
                services.checklist_item_add(actor=request.user, template=template, **item_form.cleaned_data)
                return redirect("faults:checklist_detail", pk=template.pk)
            if what == "remove":
                item = get_object_or_404(ChecklistItem, pk=request.POST.get("item"), template=template)
                services.checklist_item_remove(actor=request.user, item=item)
                return redirect("faults:checklist_detail", pk=template.pk)
        except ValidationError as exc:
            _errors_to_form(item_form if what != "template" else template_form, exc)
    return render(
        request,
        "faults/checklist_detail.html",
        {
            "template": template,
            "items": template.items.all(),
            "template_form": template_form,
            "item_form": item_form,
            "may_change": may_change,
        },
    )
