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
