"""Add a campus-sized sales floor: 300 reps with one month of calls and follow-ups (fixed seed)."""

import datetime
import random

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.calendar import month_bounds
from apps.sales.models import Call, FollowUp
from apps.sales.selectors import work_calendar

OUTCOMES = ["no_answer", "busy", "refused", "voicemail", "wrong_number"]


class Command(BaseCommand):
    help = "Add sales reps (default 300) with a month of calls (about 1.1 million) and follow-up records."

    def add_arguments(self, parser):
        parser.add_argument("--reps", type=int, default=300)
        parser.add_argument("--month", default="", help="YYYY-MM; default: last month")
        parser.add_argument("--calls-per-day", type=int, default=140)
        parser.add_argument("--seed", type=int, default=300)

    def handle(self, *args, reps, month, calls_per_day, seed, **options):
        rng = random.Random(seed)
        if month:
            first = datetime.date.fromisoformat(month + "-01")
        else:
            first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        first, last = month_bounds(first)
        group = Group.objects.get(name=Role.SALES_REP)
        with transaction.atomic():
            supervisor, _ = User.objects.get_or_create(
                username="campus-supervisor", defaults={"name": "园区主管"}
            )
            supervisor.groups.add(Group.objects.get(name=Role.SALES_SUPERVISOR))
            existing = set(
                User.objects.filter(username__startswith="campus-rep-").values_list("username", flat=True)
            )
            new = [
                User(
                    username=f"campus-rep-{i:03d}",
                    name=f"销售{i:03d}",
                    hire_date=first - datetime.timedelta(days=rng.randint(0, 400)),
                    supervisor=supervisor,
                    extension=f"6{i:03d}",
                )
                for i in range(reps)
                if f"campus-rep-{i:03d}" not in existing
            ]
            User.objects.bulk_create(new, batch_size=1000)
            members = list(
                User.objects.filter(username__startswith="campus-rep-").order_by("username")[:reps]
            )
            group.user_set.add(*members)
        if Call.objects.filter(rep__in=members, date__gte=first, date__lte=last).exists():
            self.stdout.write("calls for that month already exist; nothing added")
            return
        calendar = work_calendar(start=first, end=last)
        tz = timezone.get_current_timezone()
        total_calls = total_follow_ups = 0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                calls, follow_ups = [], []
                for rep in members:
                    n = rng.randint(calls_per_day - 25, calls_per_day + 25)
                    base = datetime.datetime.combine(day, datetime.time(9), tzinfo=tz)
                    for i in range(n):
                        conversation = rng.random() < 0.85
                        calls.append(
                            Call(
                                rep_id=rep.pk,
                                date=day,
                                started_at=base + datetime.timedelta(seconds=200 * i),
                                number=f"13{rng.randrange(10**9):09d}",
                                talk_seconds=rng.randint(10, 300) if conversation else 0,
                                outcome="conversation" if conversation else rng.choice(OUTCOMES),
                                source="cdr",
                                verified=True,
                            )
                        )
                    for _i in range(rng.randint(18, 30)):
                        phone = f"139{rng.randrange(10**8):08d}"
                        follow_ups.append(
                            FollowUp(
                                rep_id=rep.pk,
                                date=day,
                                contact_person="张经理",
                                company_name="某某公司",
                                phone=phone,
                                phone_normalised=phone,
                                counted_phone=phone,
                                content="跟进",
                                category="intent",
                            )
                        )
                with transaction.atomic():
                    Call.objects.bulk_create(calls, batch_size=5000)
                    FollowUp.objects.bulk_create(follow_ups, batch_size=5000, ignore_conflicts=True)
                total_calls += len(calls)
                total_follow_ups += len(follow_ups)
                self.stdout.write(f"{day}: {total_calls} calls so far")
            day += datetime.timedelta(days=1)
        self.stdout.write(f"{len(members)} reps, {total_calls} calls, {total_follow_ups} follow-up records")
