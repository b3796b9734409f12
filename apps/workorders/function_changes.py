"""The one place where work orders ask the approvals app about a linked function-change request.

An order whose work changes a phone-system function links a function-change request
(功能调整) and cannot complete until the chief engineer has approved it (regulation 5).
Everything here goes through ``apps.approvals.selectors``; while that app is absent,
no linked request counts as approved, so such an order cannot complete.
"""

import contextlib

from django.urls import NoReverseMatch, reverse


def _selectors():
    try:
        from apps.approvals import selectors
    except ImportError:
        return None
    return selectors if hasattr(selectors, "function_change_is_approved") else None


def function_change_is_approved(*, request_id: int) -> bool:
    """Return whether the function-change request ``request_id`` is approved (or already implemented)."""
    selectors = _selectors()
    if selectors is None:
        return False
    return bool(selectors.function_change_is_approved(request_id=request_id))


def function_change_exists(*, request_id: int) -> bool:
    """Return whether the request exists (True while the approvals app cannot say)."""
    selectors = _selectors()
    if selectors is None or not hasattr(selectors, "function_change_get"):
        return True
    return selectors.function_change_get(request_id=request_id) is not None


def function_change_describe(*, request_id: int) -> dict:
    """Return what the order page shows of the linked request: code, title, status, link."""
    described = {"code": f"#{request_id}", "title": "", "status": "", "url": ""}
    selectors = _selectors()
    if selectors is not None and hasattr(selectors, "function_change_get"):
        change = selectors.function_change_get(request_id=request_id)
        if change is not None:
            described.update(
                code=getattr(change, "code", described["code"]),
                title=getattr(change, "title", ""),
                status=change.get_status_display() if hasattr(change, "get_status_display") else "",
                url=change.get_absolute_url() if hasattr(change, "get_absolute_url") else "",
            )
            return described
    with contextlib.suppress(NoReverseMatch):
        described["url"] = reverse("approvals:detail", args=[request_id])
    return described


def function_change_choices(*, user, current: int | None = None) -> list[tuple[int, str]] | None:
    """Return (id, "FC-00012 title · status") for the requests an order may link, or None if unknown."""
    selectors = _selectors()
    if selectors is None or not hasattr(selectors, "function_change_linkable"):
        return None
    choices = [
        (change.pk, f"{change.code} {change.title} · {change.get_status_display()}")
        for change in selectors.function_change_linkable(user=user)[:200]
    ]
    if current and current not in {pk for pk, _label in choices}:
        described = function_change_describe(request_id=current)
        choices.insert(0, (current, f"{described['code']} {described['title']}".strip()))
    return choices
