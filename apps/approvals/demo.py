"""Demo function changes in every state, and a few adjustment records. For demonstrations only."""

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.core.audit import audit_actor

from . import services
from .models import AdjustmentRecord, ChangeKind, FunctionChange, TargetScope


def _request(engineer, title, **overrides):
    start = timezone.localtime().replace(hour=22, minute=0, second=0, microsecond=0) + datetime.timedelta(
        days=1
    )
    values = {
        "title": title,
        "kind": ChangeKind.CLASS_OF_SERVICE,
        "target_scope": TargetScope.EXTENSIONS,
        "target_extensions": "8101, 8102",
        "target_pbx": "",
        "current_value": "国内长途",
        "wanted_value": "仅市话",
        "reason": "行政部要求限制长途呼叫以控制话费。",
        "risk_level": "low",
        "service_interruption": False,
        "impact": "行政部两部分机，无中断。",
        "planned_start": start,
        "planned_end": start + datetime.timedelta(hours=1),
        "steps": "1. 登录交换机维护台\n2. 修改分机类别\n3. 拨测",
        "rollback_plan": "恢复原分机类别并拨测。",
    }
    values.update(overrides)
    return services.function_change_create(actor=engineer, **values)


def seed(*, stdout) -> None:
    if FunctionChange.objects.exists():
        stdout.write("  function changes: demo data already there")
        return
    engineer = User.objects.get(username="engineer")
    chief = User.objects.get(username="chief")
    with audit_actor(engineer):
        _request(
            engineer,
            "前台分机呼叫转移草稿",
            kind=ChangeKind.CALL_FORWARDING,
            target_extensions="8300",
            current_value="无转移",
            wanted_value="无人接听 20 秒转 8301",
        )
        pending = _request(engineer, "行政部分机限制长途", submit=True)
        FunctionChange.objects.filter(pk=pending.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(hours=26)
        )
        _request(
            engineer,
            "新增销售部代答组",
            kind=ChangeKind.GROUP,
            target_extensions="8200 8201",
            current_value="无代答组",
            wanted_value="代答组 3：8200、8201",
            submit=True,
        )
        approved = _request(
            engineer,
            "中继路由优先走 2 号中继",
            kind=ChangeKind.TRUNK_ROUTE,
            target_scope=TargetScope.PBX,
            target_extensions="",
            target_pbx="PBX-1",
            current_value="路由 0：中继组 1",
            wanted_value="路由 0：中继组 2，溢出到中继组 1",
            risk_level="medium",
            service_interruption=True,
            impact="切换时外线呼出中断约 1 分钟",
            submit=True,
        )
        rejected = _request(
            engineer,
            "全系统夜间模式改为 20:00",
            kind=ChangeKind.SYSTEM_PARAMETER,
            target_scope=TargetScope.SYSTEM,
            target_extensions="",
            current_value="夜服 22:00",
            wanted_value="夜服 20:00",
            submit=True,
        )
        implemented = _request(
            engineer,
            "财务部开通语音信箱",
            kind=ChangeKind.VOICEMAIL,
            target_extensions="8401",
            current_value="无语音信箱",
            wanted_value="开通语音信箱",
            submit=True,
        )
        verified = _request(
            engineer,
            "拨号方案增加 9 字头出局",
            kind=ChangeKind.DIAL_PLAN,
            target_scope=TargetScope.PBX,
            target_extensions="",
            target_pbx="PBX-1",
            current_value="0 出局",
            wanted_value="0 或 9 出局",
            submit=True,
        )
        withdrawn = _request(engineer, "临时关闭 8002 国际长途", target_extensions="8002", submit=True)
    with audit_actor(chief):
        services.function_change_approve(
            actor=chief, change=approved, comment="同意，请在夜间窗口实施并提前通知。"
        )
        services.function_change_reject(
            actor=chief, change=rejected, comment="20:00 仍有客人来电，维持 22:00。"
        )
        services.function_change_approve(actor=chief, change=implemented, comment="同意。")
        services.function_change_approve(actor=chief, change=verified, comment="同意。")
    with audit_actor(engineer):
        services.function_change_implement(actor=engineer, change=implemented, notes="已开通并测试留言。")
        services.function_change_implement(actor=engineer, change=verified, notes="已修改，拨测 9 字头正常。")
        services.function_change_withdraw(actor=engineer, change=withdrawn, comment="用户不再需要。")
    with audit_actor(chief):
        services.function_change_verify(
            actor=chief, change=verified, comment="抽查三部分机，9 字头出局正常。"
        )
    with audit_actor(engineer):
        services.adjustment_record_create(
            actor=engineer,
            kind=ChangeKind.OTHER,
            what="调整 8001 振铃音量",
            target_scope=TargetScope.EXTENSIONS,
            target_extensions="8001",
            before_value="音量 3",
            after_value="音量 5",
            reason="用户反映听不到来电。",
            performed_at=timezone.now() - datetime.timedelta(days=2),
        )
    stdout.write(
        f"  function changes: {FunctionChange.objects.count()} requests in every state, "
        f"{AdjustmentRecord.objects.count()} adjustment records"
    )
