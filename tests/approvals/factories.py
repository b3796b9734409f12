import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.approvals import services
from apps.approvals.models import ChangeKind, FunctionChange, TargetScope
from tests.factories import UserFactory


def engineer(**kwargs):
    return UserFactory(roles=[Role.ENGINEER], **kwargs)


def chief(**kwargs):
    return UserFactory(roles=[Role.CHIEF_ENGINEER], **kwargs)


def request_values(**overrides) -> dict:
    start = timezone.now() + datetime.timedelta(days=1)
    values = {
        "title": "限制分机长途",
        "kind": ChangeKind.CLASS_OF_SERVICE,
        "target_scope": TargetScope.EXTENSIONS,
        "target_extensions": "8101, 8102",
        "target_pbx": "",
        "current_value": "国内长途",
        "wanted_value": "仅市话",
        "reason": "控制话费",
        "risk_level": "low",
        "service_interruption": False,
        "impact": "无",
        "planned_start": start,
        "planned_end": start + datetime.timedelta(hours=1),
        "steps": "修改分机类别，拨测",
        "rollback_plan": "恢复原类别",
    }
    values.update(overrides)
    return values


def make_request(
    *, requester, status=FunctionChange.Status.DRAFT, approver=None, implementer=None, **overrides
):
    """Create a request through the services and walk it to ``status``."""
    S = FunctionChange.Status
    change = services.function_change_create(actor=requester, **request_values(**overrides))
    if status == S.DRAFT:
        return change
    if status == S.WITHDRAWN:
        return services.function_change_withdraw(actor=requester, change=change)
    change = services.function_change_submit(actor=requester, change=change)
    if status == S.SUBMITTED:
        return change
    approver = approver or chief()
    if status == S.REJECTED:
        return services.function_change_reject(actor=approver, change=change, comment="不同意")
    change = services.function_change_approve(actor=approver, change=change, comment="同意")
    if status == S.APPROVED:
        return change
    change = services.function_change_implement(actor=implementer or requester, change=change, notes="已完成")
    if status == S.IMPLEMENTED:
        return change
    return services.function_change_verify(actor=approver, change=change)
