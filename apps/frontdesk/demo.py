"""Demo front-desk line with a week of calls and callbacks. For demonstrations only."""

import datetime
import random

from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.audit import audit_actor

from .models import Call, Line
from .services import call_log, callback_complete, line_create, use_request_submit

LINE_NUMBER = "0571-88886666"

REQUESTS = [
    (Call.Kind.ORDER, "张先生", "13800001111", "今晚 18:30 订 6 人包间，要鸳鸯锅"),
    (Call.Kind.ORDER, "李女士", "13900002222", "外卖：肥牛两份、羊肉卷一份，送到文三路 12 号"),
    (Call.Kind.SUPPLIER, "鲜达蔬菜 王经理", "0571-86001234", "明早送货时间改到 7 点"),
    (Call.Kind.ENQUIRY, "陈先生", "13700003333", "周末是否有儿童套餐"),
    (Call.Kind.COMPLAINT, "赵女士", "13600004444", "昨晚上菜太慢，希望店长回电"),
    (Call.Kind.EMPLOYEE, "刘先生", "13500005555", "找服务员小王"),
    (Call.Kind.OTHER, "", "", "推销电话"),
]


def seed(*, stdout) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None or Line.objects.filter(number=LINE_NUMBER).exists():
        return
    answerers = list(
        User.objects.filter(username__in=["frontdesk", "leader", "manager"], is_active=True).order_by("pk")
    )
    if not answerers:
        return
    with audit_actor(admin):
        line = line_create(
            actor=admin,
            number=LINE_NUMBER,
            name="吧台电话",
            place="一楼吧台",
            purpose="客人订餐、订位和联系供应商",
            greeting="您好，小羔羊火锅店，我可以为您做什么？",
            allowed_roles=[Role.FRONT_DESK, Role.SHIFT_LEADER, Role.FLOOR_MANAGER],
            work_start=datetime.time(10, 0),
            work_end=datetime.time(22, 0),
            callback_minutes=30,
        )
    rng = random.Random(7)
    today = timezone.localdate()
    now = timezone.now()
    calls = 0
    for days_ago in range(6, -1, -1):
        day = today - datetime.timedelta(days=days_ago)
        for _ in range(rng.randint(6, 10)):
            moment = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(rng.randint(10, 20), rng.randint(0, 59)))
            )
            if moment > now:
                continue
            kind, name, number, request = rng.choice(REQUESTS)
            outcome = Call.Outcome.HANDLED
            if kind in (Call.Kind.ENQUIRY, Call.Kind.COMPLAINT):
                outcome = Call.Outcome.CALLBACK
            elif kind == Call.Kind.EMPLOYEE:
                outcome = Call.Outcome.AFTER_SHIFT
            elif kind == Call.Kind.SUPPLIER:
                outcome = Call.Outcome.PASSED_ON
            actor = rng.choice(answerers)
            with audit_actor(actor):
                call = call_log(
                    actor=actor,
                    line=line,
                    rings=rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5]),
                    kind=kind,
                    request=request,
                    outcome=outcome,
                    caller_name=name,
                    caller_number=number,
                    confirmed=rng.random() < 0.85,
                    answered_at=moment,
                )
                calls += 1
                # Most callbacks of past days were made, a few late; today's stay open.
                if outcome == Call.Outcome.CALLBACK and days_ago > 0 and rng.random() < 0.9:
                    late = rng.random() < 0.2
                    done_at = moment + datetime.timedelta(
                        minutes=rng.randint(35, 80) if late else rng.randint(5, 28)
                    )
                    callback_complete(actor=actor, callback=call.callback, note="已回电", done_at=done_at)
    frontdesk = User.objects.filter(username="frontdesk").first()
    if frontdesk is not None:
        with audit_actor(frontdesk):
            use_request_submit(actor=frontdesk, reason="家里有急事，需要打电话回家", minutes=5)
    stdout.write(f"  front desk: line {LINE_NUMBER}, {calls} calls over a week")
