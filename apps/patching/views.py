import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import Department, User
from apps.core.excel import XLSX_CONTENT_TYPE, Column, SpreadsheetError, StreamedWorkbook

from . import designations as d
from . import frames as frame_reads
from . import selectors, services
from .excel_io import table_export, table_import
from .forms import (
    ConnectForm,
    DiffForm,
    DisconnectForm,
    ExtensionForm,
    FaultyForm,
    HistoryFilterForm,
    ImportForm,
    MoveForm,
    ReleaseForm,
    RenameForm,
    ReservationFilterForm,
    ReserveForm,
    SubscriptionForm,
    TableFilterForm,
)
from .models import Block, CablePair, DepartmentSubscription, Extension, Frame, Terminal

PER_PAGE_CHOICES = (25, 50, 100, 200)


def _require(request, *perms):
    if not request.user.has_perms(perms):
        raise PermissionDenied


def _form_error(form, exc: ValidationError):
    if hasattr(exc, "error_dict") and set(exc.error_dict) <= set(form.fields):
        form.add_error(None, exc)
    else:
        form.add_error(None, exc.messages)


def _xlsx_response(write, filename):
    """Write a workbook to a temporary file (streamed: flat memory) and stream it back."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


SORTABLE = {
    "extension": "number",
    "user": "user",
    "department": "department",
    "outlet": "outlet",
    "port": "port",
}


def _headers():
    english = (translation.get_language() or "").startswith("en")
    return [
        {
            "key": key,
            "label": en if english else zh,
            "sort": SORTABLE.get(key, ""),
            "desc": "-" + SORTABLE.get(key, ""),
        }
        for key, zh, en in selectors.COLUMNS
    ]


@login_required
@require_GET
def table(request):
    _require(request, "patching.view_jumper")
    form = TableFilterForm(request.GET or None)
    filters, at = {}, None
    if form.is_bound and form.is_valid():
        filters, at = form.filters(), form.cleaned_data.get("at")
    try:
        per_page = int(request.GET.get("per_page", 50))
    except ValueError:
        per_page = 50
    per_page = per_page if per_page in PER_PAGE_CHOICES else 50
    order = request.GET.get("order", "number")
    order = order if order in selectors.ORDERS else "number"
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    rows, total = selectors.distribution_table_page(
        filters=filters, page=page_number, per_page=per_page, at=at, order=order
    )
    page_obj = Paginator(range(total), per_page).get_page(page_number)
    if page_obj.number != page_number:
        rows, total = selectors.distribution_table_page(
            filters=filters, page=page_obj.number, per_page=per_page, at=at, order=order
        )
    faulty = _faulty_on_page(rows)
    return render(
        request,
        "patching/table.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "page_obj": page_obj,
            "columns": selectors.COLUMNS,
            "order": order,
            "at": at,
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "headers": _headers(),
            "faulty": faulty,
        },
    )


FAULT_COLUMNS = ("equipment_terminal", "line_terminal", "riser_pair", "floor_terminal")


def _faulty_on_page(rows) -> set[str]:
    """The designations on this page marked faulty: two queries whatever the page size."""
    names = {row[k] for row in rows for k in FAULT_COLUMNS if row[k]}
    if not names:
        return set()
    terminals = Terminal.objects.filter(designation__in=names, faulty=True).values_list(
        "designation", flat=True
    )
    pairs = CablePair.objects.filter(designation__in=names, faulty=True).values_list("designation", flat=True)
    return set(terminals) | set(pairs)


@login_required
@require_GET
def table_export_view(request):
    _require(request, "patching.view_jumper")
    form = TableFilterForm(request.GET or None)
    filters, at = {}, None
    if form.is_bound and form.is_valid():
        filters, at = form.filters(), form.cleaned_data.get("at")
    stamp = (at or timezone.now()).astimezone(timezone.get_current_timezone()).strftime("%Y%m%d-%H%M")
    return _xlsx_response(
        lambda f: table_export(f, filters=filters, at=at), f"distribution-table-{stamp}.xlsx"
    )


@login_required
@require_GET
def table_print(request):
    """An A4 table per floor (or per frame with ?frame=)."""
    _require(request, "patching.view_jumper")
    form = TableFilterForm(request.GET or None)
    filters, at = {}, None
    if form.is_bound and form.is_valid():
        filters, at = form.filters(), form.cleaned_data.get("at")
    if not (filters.get("building") or filters.get("frame") or filters.get("floor") not in (None, "")):
        messages.info(request, _("Choose a building, floor or frame to print."))
        return redirect(reverse("patching:table") + "?" + request.GET.urlencode())
    groups: dict[str, list] = {}
    for row in selectors.distribution_table(filters=filters, at=at):
        key = filters.get("frame") or f"{row['building']} {row['floor']}F"
        groups.setdefault(key, []).append(row)
    return render(
        request,
        "patching/print.html",
        {"groups": groups, "columns": selectors.COLUMNS, "at": at or timezone.now(), "filters": filters},
    )


@login_required
@require_GET
def table_diff(request):
    _require(request, "patching.view_jumper")
    form = DiffForm(request.GET or None)
    changes = None
    if form.is_bound and form.is_valid():
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
        changes = selectors.distribution_table_diff(before=before, after=after)
        if request.GET.get("format") == "xlsx":
            labels = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
            col_label = {k: zh for k, zh, _en in selectors.EXCEL_COLUMNS}

            def write(f):
                book = StreamedWorkbook()
                sheet = book.sheet(
                    _("Changes"),
                    [Column(_("Change"), 10), Column(_("Changed columns"), 24)]
                    + [Column(zh, 16) for _k, zh, _en in selectors.EXCEL_COLUMNS],
                )
                for change in changes:
                    sheet.append(
                        [labels[change["change"]], "、".join(col_label[c] for c in change["columns"])]
                        + [change["row"][k] for k, _zh, _en in selectors.EXCEL_COLUMNS]
                    )
                book.save(f)

            return _xlsx_response(write, "distribution-table-changes.xlsx")
    return render(
        request, "patching/diff.html", {"form": form, "changes": changes, "columns": selectors.EXCEL_COLUMNS}
    )


@login_required
@require_http_methods(["GET", "POST"])
def jumpers(request):
    _require(request, "patching.view_jumper")
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "connect": ConnectForm(
            request.POST if action == "connect" else None, prefix="connect", initial=request.GET
        ),
        "disconnect": DisconnectForm(request.POST if action == "disconnect" else None, prefix="disconnect"),
        "move": MoveForm(request.POST if action == "move" else None, prefix="move"),
    }
    if action in forms:
        _require(request, "patching.add_jumper", "patching.delete_jumper")
        form = forms[action]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "connect":
                    jumper = services.jumper_connect(
                        terminal_a=data["terminal_a"],
                        terminal_b=data["terminal_b"],
                        actor=request.user,
                        reason=data["reason"],
                        reference=data["reference"],
                    )
                    messages.success(
                        request,
                        _("Connected %(a)s to %(b)s.")
                        % {"a": jumper.terminal_a.designation, "b": jumper.terminal_b.designation},
                    )
                elif action == "disconnect":
                    services.jumper_disconnect(
                        terminal=data["terminal"],
                        actor=request.user,
                        reason=data["reason"],
                        reference=data["reference"],
                    )
                    messages.success(
                        request, _("Disconnected the jumper on %(t)s.") % {"t": data["terminal"].upper()}
                    )
                else:
                    jumper = services.jumper_move(
                        terminal=data["terminal"],
                        new_terminal=data["new_terminal"],
                        actor=request.user,
                        reason=data["reason"],
                        reference=data["reference"],
                    )
                    messages.success(
                        request,
                        _("The jumper now joins %(a)s and %(b)s.")
                        % {"a": jumper.terminal_a.designation, "b": jumper.terminal_b.designation},
                    )
                return redirect("patching:jumpers")
            except ValidationError as exc:
                _form_error(form, exc)
    recent = selectors.jumper_history().filter(action__in=["connect", "disconnect"])[:10]
    return render(request, "patching/jumpers.html", {"forms": forms, "action": action, "recent": recent})


@login_required
@require_GET
def trace(request):
    _require(request, "patching.view_jumper")
    q = request.GET.get("q", "").strip()
    traces = []
    if q:
        result = selectors.extension_trace(text=q)
        traces = result if isinstance(result, list) else [result]
    return render(request, "patching/trace.html", {"q": q, "traces": traces})


@login_required
@require_GET
def history(request):
    _require(request, "patching.view_patchevent")
    form = HistoryFilterForm(request.GET or None)
    kwargs = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        kwargs = {
            "designation": data["q"] or None,
            "since": data["since"],
            "until": data["until"],
            "reference": data["reference"] or None,
            "action": data["action"] or None,
        }
        if data["user"]:
            kwargs["actor"] = User.objects.filter(username=data["user"]).first() or 0
    page_obj = Paginator(selectors.jumper_history(**kwargs), 50).get_page(request.GET.get("page"))
    return render(request, "patching/history.html", {"form": form, "page_obj": page_obj})


@login_required
@require_GET
def checks(request):
    _require(request, "patching.view_jumper")
    return render(request, "patching/checks.html", {"checks": selectors.patch_checks(limit=100)})


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    _require(request, "patching.add_extension", "patching.add_jumper")
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = table_import(
                form.cleaned_data["file"], actor=request.user, dry_run=form.cleaned_data["dry_run"]
            )
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            if result.applied:
                messages.success(request, _("%(n)s rows imported.") % {"n": result.rows})
    return render(request, "patching/import.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET", "POST"])
def extension_edit(request, number=None):
    _require(request, "patching.view_extension")
    ext = None
    if number is not None:
        ext = Extension.objects.select_related("port", "outlet", "department").filter(number=number).first()
        if ext is None:
            raise Http404
    initial = {}
    if ext is not None:
        initial = {
            "number": ext.number,
            "user_name": ext.user_name,
            "department": ext.department_id,
            "class_of_service": ext.class_of_service,
            "port": ext.port.designation if ext.port else "",
            "outlet": ext.outlet.designation if ext.outlet else "",
            "notes": ext.notes,
        }
    form = ExtensionForm(request.POST or None, initial=initial)
    if ext is not None:
        form.fields["number"].disabled = True
    if request.method == "POST":
        _require(request, "patching.change_extension" if ext else "patching.add_extension")
        if request.POST.get("remove") and ext is not None:
            _require(request, "patching.delete_extension")
            reason = request.POST.get("reason", "").strip()
            if not reason:
                form.is_valid()
                form.add_error("reason", _("Give a reason for the change."))
            else:
                services.extension_remove(
                    extension=ext,
                    actor=request.user,
                    reason=reason,
                    reference=request.POST.get("reference", ""),
                )
                messages.success(request, _("Extension %(n)s removed.") % {"n": ext.number})
                return redirect("patching:table")
        elif form.is_valid():
            data = form.cleaned_data
            fields = {
                k: data[k] for k in ("user_name", "department", "class_of_service", "port", "outlet", "notes")
            }
            try:
                if ext is None:
                    ext = services.extension_assign(
                        number=data["number"],
                        actor=request.user,
                        reason=data["reason"],
                        reference=data["reference"],
                        **fields,
                    )
                    messages.success(request, _("Extension %(n)s added.") % {"n": ext.number})
                else:
                    services.extension_update(
                        extension=ext,
                        actor=request.user,
                        reason=data["reason"],
                        reference=data["reference"],
                        **fields,
                    )
                    messages.success(request, _("Extension %(n)s saved.") % {"n": ext.number})
                return redirect(reverse("patching:trace") + "?q=" + ext.number)
            except ValidationError as exc:
                _form_error(form, exc)
    return render(request, "patching/extension_form.html", {"form": form, "extension": ext})


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request):
    _require(request, "patching.view_departmentsubscription")
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            _require(request, "patching.delete_departmentsubscription")
            dept = Department.objects.filter(pk=request.POST.get("remove")).first()
            if dept:
                services.subscription_remove(department=dept, actor=request.user)
            return redirect("patching:subscriptions")
        _require(request, "patching.add_departmentsubscription")
        if form.is_valid():
            services.subscription_add(department=form.cleaned_data["department"], actor=request.user)
            return redirect("patching:subscriptions")
    subs = DepartmentSubscription.objects.select_related("department", "created_by")
    return render(request, "patching/subscriptions.html", {"form": form, "subscriptions": subs})


@login_required
@require_GET
def search(request, kind):
    _require(request, "patching.view_jumper")
    q = request.GET.get("q", "")
    if kind == "terminals":
        results = selectors.terminal_search(q=q, free_only=request.GET.get("free") == "1")
    elif kind == "free-terminals":
        results = selectors.terminal_search(q=q, free_only=True)
    elif kind == "reserved-terminals":
        results = selectors.terminal_search(q=q, reserved_only=True)
    elif kind == "used-terminals":
        results = selectors.terminal_search(q=q, used_only=True)
    elif kind == "ports":
        results = selectors.port_search(q=q, free_only=request.GET.get("free") == "1")
    else:
        results = selectors.outlet_search(q=q)
    return JsonResponse(
        {"results": [{**r, "status": str(r["status"]), "label": str(r["label"])} for r in results]}
    )


def _fault_target(text):
    """The terminal or cable pair a designation names, or None."""
    obj = selectors.designation_resolve(text) if text else None
    return obj if isinstance(obj, (Terminal, CablePair)) else None


@login_required
@require_http_methods(["GET", "POST"])
def faulty(request):
    """A terminal or cable pair: its state, marking it faulty or working again with a reason, and that history."""
    _require(request, "patching.view_terminal")
    text = (request.POST.get("designation") or request.GET.get("d") or "").strip()
    obj = _fault_target(text)
    form = FaultyForm(request.POST or None, initial={"designation": obj.designation if obj else text})
    if request.method == "POST":
        _require(request, "patching.change_terminal")
        if form.is_valid():
            if obj is None:
                messages.error(request, _("There is no terminal or cable pair %(name)s.") % {"name": text})
            else:
                faulty_now = not obj.faulty
                try:
                    if isinstance(obj, Terminal):
                        services.terminal_set_faulty(
                            terminal=obj,
                            faulty=faulty_now,
                            actor=request.user,
                            reason=form.cleaned_data["reason"],
                            reference=form.cleaned_data["reference"],
                        )
                    else:
                        services.pair_set_faulty(
                            pair=obj,
                            faulty=faulty_now,
                            actor=request.user,
                            reason=form.cleaned_data["reason"],
                            reference=form.cleaned_data["reference"],
                        )
                except ValidationError as exc:
                    _form_error(form, exc)
                else:
                    if faulty_now:
                        messages.success(request, _("%(name)s is marked faulty.") % {"name": obj.designation})
                    else:
                        messages.success(request, _("%(name)s is working again.") % {"name": obj.designation})
                    return redirect(reverse("patching:faulty") + "?d=" + obj.designation)
    elif text and obj is None:
        messages.error(request, _("There is no terminal or cable pair %(name)s.") % {"name": text})
    context = {"form": form, "obj": obj, "q": text}
    if obj is not None:
        context["is_pair"] = isinstance(obj, CablePair)
        context["status"] = selectors.terminal_status(obj) if isinstance(obj, Terminal) else None
        context["history"] = selectors.designation_history(obj)
    return render(request, "patching/faulty.html", context)


@login_required
@require_GET
def frame_list(request):
    _require(request, "patching.view_frame")
    return render(request, "patching/frames.html", {"frames": frame_reads.frame_overview()})


def _frame_or_404(code) -> Frame:
    frame = Frame.objects.filter(code=code.upper()).select_related("building", "room").first()
    if frame is None:
        raise Http404
    return frame


def _frame_page(request, frame, *, rename_form=None, rename_target=None):
    context = {
        "frame": frame,
        "blocks": frame_reads.frame_blocks(frame),
        "rename_form": rename_form,
        "rename_target": rename_target,
    }
    return render(request, "patching/frame.html", context)


@login_required
@require_GET
def frame_detail(request, code):
    _require(request, "patching.view_frame")
    return _frame_page(request, _frame_or_404(code))


@login_required
@require_http_methods(["POST"])
def frame_rename(request, code):
    """Rename the frame, or one of its blocks (``block`` names it): every designation under it follows."""
    _require(request, "patching.view_frame", "patching.change_terminal")
    frame = _frame_or_404(code)
    block = None
    if request.POST.get("block"):
        block_id = request.POST["block"]
        block = Block.objects.filter(frame=frame, pk=block_id).first() if block_id.isdigit() else None
        if block is None:
            raise Http404
    form = RenameForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if block is None:
                old = frame.code
                frame = services.frame_rename(
                    frame,
                    data["code"],
                    actor=request.user,
                    reason=data["reason"],
                    reference=data["reference"],
                )
                messages.success(
                    request,
                    _("Frame %(old)s is now %(new)s; its terminals were renamed with it.")
                    % {"old": old, "new": frame.code},
                )
            else:
                old = block.code
                block = services.block_rename(
                    block,
                    data["code"],
                    actor=request.user,
                    reason=data["reason"],
                    reference=data["reference"],
                )
                messages.success(
                    request,
                    _("Block %(old)s of %(frame)s is now %(new)s; its terminals were renamed with it.")
                    % {"old": old, "new": block.code, "frame": frame.code},
                )
            return redirect("patching:frame", code=frame.code)
        except ValidationError as exc:
            _form_error(form, exc)
    target = block.pk if block is not None else "frame"
    return _frame_page(request, frame, rename_form=form, rename_target=target)


@login_required
@require_http_methods(["GET", "POST"])
def reservations(request):
    """Reserve free terminals for a work order or a note, and release reserved ones, by hand."""
    _require(request, "patching.view_terminal")
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "reserve": ReserveForm(
            request.POST if action == "reserve" else None,
            prefix="reserve",
            initial={"terminals": request.GET.get("reserve", "")},
        ),
        "release": ReleaseForm(
            request.POST if action == "release" else None,
            prefix="release",
            initial={"terminals": request.GET.get("release", "")},
        ),
    }
    if action in forms:
        _require(request, "patching.change_terminal")
        form = forms[action]
        if form.is_valid():
            data = form.cleaned_data
            named = [data["terminals"]] + request.POST.getlist("selected")
            try:
                if action == "reserve":
                    done = services.terminal_reserve(
                        terminals=named, reference=data["reference"], actor=request.user, strict=True
                    )
                    messages.success(
                        request,
                        _("Reserved for %(reference)s: %(terminals)s.")
                        % {
                            "reference": data["reference"].strip(),
                            "terminals": d.terminals_text(t.designation for t in done),
                        },
                    )
                else:
                    done = services.terminal_release(
                        terminals=named, reference=data["reference"], actor=request.user, strict=True
                    )
                    messages.success(
                        request,
                        _("Released: %(terminals)s.")
                        % {"terminals": d.terminals_text(t.designation for t in done)},
                    )
                return redirect(reverse("patching:reservations") + _keep_query(request))
            except ValidationError as exc:
                _form_error(form, exc)
    filters = ReservationFilterForm(request.GET or None)
    q, frame = "", ""
    if filters.is_bound and filters.is_valid():
        q, frame = filters.cleaned_data["q"], filters.cleaned_data["frame"]
    page_obj = Paginator(selectors.reservation_list(q=q, frame=frame), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "patching/reservations.html",
        {"forms": forms, "action": action, "filters": filters, "page_obj": page_obj},
    )


def _keep_query(request) -> str:
    """The list's filters and page, kept across a post."""
    kept = request.GET.copy()
    for key in ("reserve", "release"):
        kept.pop(key, None)
    return "?" + kept.urlencode() if kept else ""
