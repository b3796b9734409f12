"""The one place where work orders ask the approvals app about a linked function-change request.

An order whose work changes a phone-system function links a function-change request
(功能调整) and cannot complete until the chief engineer has approved it (regulation 5).
Everything here goes through ``apps.approvals.selectors``.
"""

from apps.approvals import selectors as approvals


def function_change_is_approved(*, request_id: int) -> bool:
    """Return whether the function-change request ``request_id`` is approved (or already implemented)."""
    return bool(approvals.function_change_is_approved(request_id=request_id))


def function_change_exists(*, request_id: int) -> bool:
    return approvals.function_change_get(request_id=request_id) is not None


def function_change_describe(*, request_id: int) -> dict:
    """Return what the order page shows of the linked request: code, title, status, link."""
    change = approvals.function_change_get(request_id=request_id)
    if change is None:
        return {"code": f"#{request_id}", "title": "", "status": "", "url": ""}
    return {
        "code": change.code,
        "title": change.title,
        "status": change.get_status_display(),
        "url": change.get_absolute_url(),
    }


def function_change_choices(*, user, current: int | None = None) -> list[tuple[int, str]]:
    """Return (id, "FC-00012 title · status") for the requests an order may link."""
    choices = [
        (change.pk, f"{change.code} {change.title} · {change.get_status_display()}")
        for change in approvals.function_change_linkable(user=user)[:200]
    ]
    if current and current not in {pk for pk, _label in choices}:
        described = function_change_describe(request_id=current)
        choices.insert(0, (current, f"{described['code']} {described['title']}".strip()))
    return choices
