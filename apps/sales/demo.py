"""A demo sales team with three weeks of history. For demonstrations only."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import user_create
from apps.core.audit import audit_actor

from .models import Absence, Call, Customer, FollowUp, TrainingSession, WeeklyPlan, WorkRecord
from .selectors import work_calendar
from .services import quota_days_close, training_create

REPS = [
    # username, name, extension, days employed
    ("rep2", "黄晓明", "8202", 200),
    ("rep3", "林小雨", "8203", 90),
    ("rep4", "马志强", "8204", 400),
    ("rep5", "高婷婷", "8205", 10),
]
COMPANIES = [
    "华东贸易",
    "明达科技",
    "鑫源物流",
    "天和酒店",
    "博远咨询",
    "宏图建材",
    "瑞丰食品",
    "新航教育",
    "金桥电子",
    "恒信保险",
]
CONTACTS = ["张经理", "王总", "李主任", "赵女士", "陈先生", "刘经理", "杨总监", "周老板"]
DEMO_PASSWORD = "telroom-demo"


def _phone(rng):
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


@transaction.atomic
def seed(*, stdout) -> None:
    supervisor = User.objects.get(username="supervisor")
    department = supervisor.department
    today = timezone.localdate()
    for username, name, extension, days in REPS:
        if not User.objects.filter(username=username).exists():
            user_create(
                username=username,
                password=DEMO_PASSWORD,
                name=name,
                email=f"{username}@example.com",
                roles=[Role.SALES_REP],
                department=department,
                hire_date=today - datetime.timedelta(days=days),
                supervisor=supervisor,
                extension=extension,
            )
    reps = list(User.objects.filter(groups__name=Role.SALES_REP, supervisor=supervisor).order_by("username"))
    if Call.objects.filter(rep__in=reps).exists():
        stdout.write(f"  sales: demo team of {len(reps)} reps already has history")
        return
    rng = random.Random(8)
    calendar = work_calendar()
    start = today - datetime.timedelta(days=21)
    calls, follow_ups, records = [], [], []
    day = start
    with audit_actor(supervisor):
        while day <= today:
            if calendar.is_working_day(day):
                for rep in reps:
                    if rep.hire_date and rep.hire_date > day:
                        continue
                    target = rng.randint(85, 135) if day < today else rng.randint(30, 70)
                    for i in range(target + rng.randint(5, 20)):
                        started = timezone.make_aware(
                            datetime.datetime.combine(day, datetime.time(9, 0))
                            + datetime.timedelta(minutes=3 * i)
                        )
                        effective = i < target
                        calls.append(
                            Call(
                                rep=rep,
                                date=day,
                                started_at=started,
                                number=_phone(rng),
                                talk_seconds=rng.randint(31, 400) if effective else rng.randint(0, 25),
                                outcome=Call.Outcome.CONVERSATION
                                if effective
                                else rng.choice(
                                    [Call.Outcome.NO_ANSWER, Call.Outcome.BUSY, Call.Outcome.REFUSED]
                                ),
                                source=Call.Source.CDR,
                                verified=True,
                                cdr_key=f"demo:{rep.pk}:{day.isoformat()}:{i}",
                            )
                        )
                    customers = rng.randint(18, 28) if day < today else rng.randint(5, 12)
                    for _n in range(customers):
                        phone = _phone(rng)
                        complete = rng.random() > 0.08
                        follow_ups.append(
                            FollowUp(
                                rep=rep,
                                date=day,
                                contact_person=rng.choice(CONTACTS),
                                company_name=rng.choice(COMPANIES) + ("有限公司" if complete else ""),
                                phone=phone,
                                phone_normalised=phone,
                                counted_phone=phone if complete else None,
                                content="介绍了集团电话套餐，客户有兴趣" if complete else "",
                                category=rng.choice(
                                    [FollowUp.Category.INTENT, FollowUp.Category.DEVELOPABLE]
                                ),
                                next_follow_up=day + datetime.timedelta(days=rng.randint(1, 7)),
                            )
                        )
                    if day < today:
                        submitted = timezone.make_aware(
                            datetime.datetime.combine(day, datetime.time(17, rng.randint(30, 59)))
                        )
                        if rng.random() > 0.1:
                            records.append(
                                WorkRecord(
                                    rep=rep,
                                    date=day,
                                    content="今日完成电话拜访，跟进意向客户。",
                                    submitted_at=submitted,
                                )
                            )
            day += datetime.timedelta(days=1)
        Call.objects.bulk_create(calls, batch_size=2000)
        Customer.objects.bulk_create(
            [
                Customer(
                    phone=f.phone_normalised,
                    company_name=f.company_name,
                    contact_person=f.contact_person,
                    owner=f.rep,
                )
                for f in follow_ups
            ],
            ignore_conflicts=True,
        )
        customers = dict(
            Customer.objects.filter(phone__in=[f.phone_normalised for f in follow_ups]).values_list(
                "phone", "pk"
            )
        )
        for follow_up in follow_ups:
            follow_up.customer_id = customers.get(follow_up.phone_normalised)
        FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
        WorkRecord.objects.bulk_create(records)
        # A few approved visits and a day of leave, and a pending request for the supervisor.
        visit_day = today - datetime.timedelta(days=3)
        Absence.objects.create(
            rep=reps[0],
            kind=Absence.Kind.VISIT,
            date=visit_day,
            hours=Decimal("3"),
            customer="天和酒店",
            purpose="上门演示",
            status=Absence.Status.APPROVED,
            decided_by=supervisor,
            decided_at=timezone.now(),
        )
        Absence.objects.create(
            rep=reps[1],
            kind=Absence.Kind.LEAVE,
            date=today - datetime.timedelta(days=5),
            hours=Decimal("8"),
            purpose="事假",
            status=Absence.Status.APPROVED,
            decided_by=supervisor,
            decided_at=timezone.now(),
        )
        Absence.objects.create(
            rep=reps[-1],
            kind=Absence.Kind.VISIT,
            date=today,
            hours=Decimal("2"),
            customer="明达科技",
            purpose="签约洽谈",
        )
        monday = today - datetime.timedelta(days=today.weekday())
        for rep in reps:
            WeeklyPlan.objects.get_or_create(
                rep=rep,
                week_start=monday,
                defaults={
                    "content": "本周目标：新增意向客户30家。",
                    "submitted_at": timezone.now() - datetime.timedelta(days=2),
                },
            )
        day = start
        while day < today:
            quota_days_close(day=day)
            day += datetime.timedelta(days=1)
        if not TrainingSession.objects.exists():
            starts = timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(14))
            )
            training_create(
                actor=supervisor,
                topic="集团电话产品知识",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                place="三楼培训室",
                reps=reps,
            )
    stdout.write(
        f"  sales: demo team of {len(reps)} reps, {len(calls)} calls, {len(follow_ups)} follow-up records"
    )
