import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.core.audit import audit_register

from .quota import Rules


class RuleSet(models.Model):
    """The quota numbers in force from ``effective_from`` until the next rule set."""

    effective_from = models.DateField(_("effective from"), unique=True)
    standard_calls = models.PositiveIntegerField(_("standard effective calls"), default=120)
    standard_customers = models.PositiveIntegerField(_("standard customers"), default=25)
    new_calls = models.PositiveIntegerField(_("new employee calls"), default=80)
    new_customers = models.PositiveIntegerField(_("new employee customers"), default=15)
    new_period_days = models.PositiveIntegerField(_("new employee period (days)"), default=15)
    min_talk_seconds = models.PositiveIntegerField(_("minimum talk time (seconds)"), default=30)
    fine_per_short = models.DecimalField(
        _("fine per call or customer short (yuan)"), max_digits=8, decimal_places=2, default=Decimal("5.00")
    )
    fine_per_false = models.DecimalField(
        _("fine per false record (yuan)"), max_digits=8, decimal_places=2, default=Decimal("50.00")
    )
    work_hours = models.DecimalField(
        _("working hours per day"), max_digits=4, decimal_places=2, default=Decimal("8")
    )
    end_of_work = models.TimeField(_("end of work"), default=datetime.time(18, 0))
    day_close = models.TimeField(_("day closes at"), default=datetime.time(23, 59))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("quota rule set")
        verbose_name_plural = _("quota rule sets")
        constraints = [
            models.CheckConstraint(condition=Q(work_hours__gt=0), name="sales_ruleset_work_hours_positive"),
            models.CheckConstraint(condition=Q(fine_per_short__gte=0), name="sales_ruleset_fine_short_gte_0"),
            models.CheckConstraint(condition=Q(fine_per_false__gte=0), name="sales_ruleset_fine_false_gte_0"),
        ]

    def __str__(self):
        return str(_("Rules from %(date)s")) % {"date": self.effective_from}

    def clean(self):
        from django.utils import timezone

        if self._state.adding and self.effective_from and self.effective_from < timezone.localdate():
            raise ValidationError(
                {
                    "effective_from": _(
                        "New rules apply from today or later: past days keep the rules they had."
                    )
                }
            )
        if self.end_of_work and self.day_close and self.day_close < self.end_of_work:
            raise ValidationError({"day_close": _("The day cannot close before the end of work.")})

    def as_rules(self) -> Rules:
        return Rules(
            standard_calls=self.standard_calls,
            standard_customers=self.standard_customers,
            new_calls=self.new_calls,
            new_customers=self.new_customers,
            new_period_days=self.new_period_days,
            min_talk_seconds=self.min_talk_seconds,
            fine_per_short=self.fine_per_short,
            fine_per_false=self.fine_per_false,
            work_hours=Decimal(self.work_hours),
            end_of_work=self.end_of_work,
            day_close=self.day_close,
        )


class CalendarDay(models.Model):
    """An exception to the default week (Monday to Saturday working): a holiday or a working Sunday."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("work calendar")

    def __str__(self):
        return f"{self.date} {self.name}"


class Customer(models.Model):
    """A customer, recognised by its normalised telephone number."""

    phone = models.CharField(_("telephone (normalised)"), max_length=40, unique=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first recorded by"),
        on_delete=models.PROTECT,
        related_name="sales_customers",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["company_name", "phone"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.company_name or self.phone


class Call(models.Model):
    class Outcome(models.TextChoices):
        CONVERSATION = "conversation", _("Conversation")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        REFUSED = "refused", _("Refused")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        VOICEMAIL = "voicemail", _("Voicemail")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Logged by hand")
        CDR = "cdr", _("Call record")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_calls",
    )
    date = models.DateField(_("date"), db_index=True)
    started_at = models.DateTimeField(_("start time"))
    number = models.CharField(_("number called"), max_length=40)
    number_normalised = models.CharField(_("normalised number"), max_length=40, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    talk_seconds = models.PositiveIntegerField(_("talk time (seconds)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    verified = models.BooleanField(_("confirmed by a call record"), default=False)
    cdr_key = models.CharField(_("call record key"), max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["cdr_key"], name="sales_call_cdr_key_unique"),
            models.CheckConstraint(
                condition=Q(source="manual") | Q(verified=True), name="sales_call_cdr_is_verified"
            ),
        ]
        indexes = [models.Index(fields=["rep", "date"], name="sales_call_rep_date")]

    def __str__(self):
        return f"{self.number} {self.started_at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    class Category(models.TextChoices):
        INTENT = "intent", _("Intent customer")
        DEVELOPABLE = "developable", _("Developable customer")
        NOT_INTERESTED = "not_interested", _("Not interested")
        OTHER = "other", _("Other")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_follow_ups",
    )
    date = models.DateField(_("date"), db_index=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    phone_normalised = models.CharField(_("normalised telephone"), max_length=40, blank=True)
    content = models.TextField(_("follow-up content"), blank=True)
    category = models.CharField(_("customer category"), max_length=20, choices=Category.choices)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    # The normalised number when this record is the one that counts the customer that day;
    # the unique constraint keeps one counted record per customer per rep per day.
    counted_phone = models.CharField(_("counted as"), max_length=40, null=True, blank=True)
    is_false = models.BooleanField(_("false record"), default=False)
    false_note = models.TextField(_("verification note"), blank=True)
    false_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked false by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    false_marked_at = models.DateTimeField(_("marked false at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created_at", "-pk"]
        verbose_name = _("follow-up record")
        verbose_name_plural = _("follow-up records")
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "date", "counted_phone"], name="sales_followup_one_count_per_customer_day"
            ),
            models.CheckConstraint(
                condition=Q(counted_phone__isnull=True) | Q(is_false=False),
                name="sales_followup_false_not_counted",
            ),
            models.CheckConstraint(
                condition=Q(is_false=False) | ~Q(false_note=""), name="sales_followup_false_has_note"
            ),
            models.CheckConstraint(
                condition=Q(counted_phone__isnull=True) | Q(counted_phone=F("phone_normalised")),
                name="sales_followup_counted_is_its_number",
            ),
        ]
        indexes = [models.Index(fields=["rep", "date"], name="sales_followup_rep_date")]

    def __str__(self):
        return f"{self.company_name or self.phone} {self.date}"

    def as_fact(self):
        from .quota import FollowUpFact

        return FollowUpFact(
            contact_person=self.contact_person,
            company_name=self.company_name,
            phone=self.phone_normalised or None,
            content=self.content,
            category=self.category,
            is_false=self.is_false,
            pk=self.pk,
        )

    def problems(self) -> list[str]:
        """Return why this record does not count (empty when it counts)."""
        from .quota import follow_up_problems

        phone_error = None
        if self.phone and not self.phone_normalised:
            from .phone import PhoneError, phone_normalise

            try:
                phone_normalise(self.phone)
            except PhoneError as exc:
                phone_error = str(exc)
        problems = follow_up_problems(self.as_fact(), phone_error=phone_error)
        if not problems and not self.counted_phone:
            problems.append(str(_("this customer is already counted today")))
        return problems


class Absence(models.Model):
    """Approved time away from the phones: a customer visit, leave or a training absence."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Field visit")
        LEAVE = "leave", _("Leave")
        TRAINING = "training", _("Training absence")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_absences",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours away"), max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0.5"))]
    )
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose or reason"))
    training = models.ForeignKey(
        "TrainingSession",
        verbose_name=_("training session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="absences",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("absence request")
        verbose_name_plural = _("absence requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="sales_absence_hours_range"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False), name="sales_absence_decided_by"
            ),
            models.CheckConstraint(condition=~Q(decided_by=F("rep")), name="sales_absence_not_self_approved"),
            models.CheckConstraint(
                condition=~Q(kind="visit") | ~Q(customer=""), name="sales_absence_visit_names_customer"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"

    def clean(self):
        if self.kind == self.Kind.VISIT and not self.customer.strip():
            raise ValidationError({"customer": _("Name the customer you are visiting.")})


class DayResult(models.Model):
    """One rep's judged day; closing freezes it with a copy of the rules applied."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_days",
    )
    date = models.DateField(_("date"))
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, null=True)
    rules_applied = models.JSONField(_("rules applied"), default=dict)
    working_day = models.BooleanField(_("working day"), default=True)
    new_employee = models.BooleanField(_("new employee standard"), default=False)
    absence_hours = models.DecimalField(_("approved hours away"), max_digits=5, decimal_places=2, default=0)
    required_calls = models.PositiveIntegerField(_("required calls"))
    required_customers = models.PositiveIntegerField(_("required customers"))
    effective_calls = models.PositiveIntegerField(_("effective calls"))
    counted_customers = models.PositiveIntegerField(_("counted customers"))
    short_calls = models.PositiveIntegerField(_("calls short"))
    short_customers = models.PositiveIntegerField(_("customers short"))
    false_records = models.PositiveIntegerField(_("false records"), default=0)
    fine_shortfall = models.DecimalField(_("shortfall fine"), max_digits=10, decimal_places=2)
    fine_false = models.DecimalField(_("false-record fine"), max_digits=10, decimal_places=2)
    fine_total = models.DecimalField(_("total fine"), max_digits=10, decimal_places=2)
    reasons = models.JSONField(_("reasons"), default=list)
    is_closed = models.BooleanField(_("closed"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)

    class Meta:
        ordering = ["-date", "rep"]
        verbose_name = _("quota day")
        verbose_name_plural = _("quota days")
        permissions = [("reopen_dayresult", _("Can reopen a closed quota day"))]
        constraints = [
            models.UniqueConstraint(fields=["rep", "date"], name="sales_dayresult_one_per_rep_day"),
            models.CheckConstraint(
                condition=Q(fine_total=F("fine_shortfall") + F("fine_false")), name="sales_dayresult_fine_sum"
            ),
            models.CheckConstraint(
                condition=Q(fine_shortfall__gte=0) & Q(fine_false__gte=0), name="sales_dayresult_fines_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(is_closed=False) | Q(closed_at__isnull=False), name="sales_dayresult_closed_at"
            ),
        ]

    def __str__(self):
        return f"{self.rep} {self.date}"


class WorkRecord(models.Model):
    """The daily work record (工作记录), due by the end of work."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_work_records",
    )
    date = models.DateField(_("date"))
    content = models.TextField(_("work record"))
    submitted_at = models.DateTimeField(_("sent at"))
    is_late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-date", "rep"]
        verbose_name = _("work record")
        verbose_name_plural = _("work records")
        constraints = [models.UniqueConstraint(fields=["rep", "date"], name="sales_workrecord_one_per_day")]

    def __str__(self):
        return f"{self.rep} {self.date}"


class WeeklyPlan(models.Model):
    """Next week's plan (下周工作计划), due on the Saturday before the week."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        on_delete=models.PROTECT,
        related_name="sales_weekly_plans",
    )
    week_start = models.DateField(_("week starting"))
    content = models.TextField(_("plan"))
    submitted_at = models.DateTimeField(_("sent at"))
    is_late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-week_start", "rep"]
        verbose_name = _("weekly plan")
        verbose_name_plural = _("weekly plans")
        constraints = [
            models.UniqueConstraint(fields=["rep", "week_start"], name="sales_weeklyplan_one_per_week"),
        ]

    def __str__(self):
        return f"{self.rep} {self.week_start}"

    def clean(self):
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("A plan's week starts on a Monday.")})


class TrainingSession(models.Model):
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("must attend"), through="Attendance", related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    attendance_taken = models.BooleanField(_("attendance taken"), default=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="sales_training_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.topic


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sales rep"), on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("present"), null=True)

    class Meta:
        ordering = ["session", "rep"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "rep"], name="sales_attendance_once")]

    def __str__(self):
        return f"{self.session} {self.rep}"


class CallImport(models.Model):
    """One import of PBX call records."""

    file_name = models.CharField(_("file"), max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("calls added"), default=0)
    confirmed = models.PositiveIntegerField(_("hand-logged calls confirmed"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    other_staff = models.PositiveIntegerField(_("calls of other staff skipped"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("call-record import")
        verbose_name_plural = _("call-record imports")
        permissions = [("import_calls", _("Can import PBX call records"))]

    def __str__(self):
        return self.file_name


for _model in (
    RuleSet,
    CalendarDay,
    Customer,
    FollowUp,
    Absence,
    DayResult,
    WorkRecord,
    WeeklyPlan,
    TrainingSession,
    Attendance,
    CallImport,
):
    audit_register(_model)
audit_register(Call, exclude_fields=["created_at"])
