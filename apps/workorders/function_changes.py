"""The one place where work orders ask the approvals app about a linked function-change request.

An order whose work changes a phone-system function links a function-change request
(功能调整) and cannot complete until the chief engineer has approved it (regulation 5).
"""

from django.urls import NoReverseMatch, reverse


def function_change_is_approved(*, request_id: int) -> bool:
    """Return whether the function-change request ``request_id`` is approved (or already implemented).

    Asks ``apps.approvals.selectors.function_change_is_approved``; while that selector
    does not exist, no linked request counts as approved, so such an order cannot complete.
    """
    try:
        from apps.approvals.selectors import function_change_is_approved as approved
    except ImportError:
        return False
    return bool(approved(request_id=request_id))


def function_change_url(*, request_id: int) -> str:
    """Return the page of the request, or "" while the approvals app has no such page."""
    for name in ("approvals:detail", "approvals:request_detail", "approvals:function_change_detail"):
        try:
            return reverse(name, args=[request_id])
        except NoReverseMatch:
            continue
    return ""
