"""The front-desk telephone (REGULATIONS.md part 2): lines, calls, callbacks, personal use."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.audit import audit_register
from apps.core.models import TimeStampedModel

# A call counts as answered promptly when picked up within this many rings.
PROMPT_RINGS = 3


def default_allowed_roles() -> list[str]:
    return [Role.FRONT_DESK.value, Role.SHIFT_LEADER.value, Role.FLOOR_MANAGER.value]


def default_work_start() -> datetime.time:
    return datetime.time(9, 0)


def default_work_end() -> datetime.time:
    return datetime.time(22, 0)


class Line(TimeStampedModel):
    """A front-desk telephone line, what it is for and who may answer it."""

    number = models.CharField(
        _("number"),
        max_length=30,
        unique=True,
        error_messages={"unique": _("A line with this number already exists.")},
    )
    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("place"), max_length=100, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=200, blank=True, help_text=_("For example: guest orders and suppliers.")
    )
    greeting = models.CharField(
        _("greeting"),
        max_length=200,
        help_text=_("Shown on the call page as a prompt, for example 您好，小羔羊火锅店，我可以为您做什么？"),
    )
    allowed_roles = models.JSONField(
        _("roles that may answer"),
        default=default_allowed_roles,
        help_text=_("During working hours only these roles may answer the line."),
    )
    work_start = models.TimeField(_("working hours from"), default=default_work_start)
    work_end = models.TimeField(_("working hours until"), default=default_work_end)
    callback_minutes = models.PositiveSmallIntegerField(
        _("call back within (minutes)"),
        default=30,
        help_text=_("Deadline of a promised callback, counted from the call."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            models.CheckConstraint(condition=Q(work_start__lt=models.F("work_end")), name="line_hours_order"),
            models.CheckConstraint(
                condition=Q(callback_minutes__gte=1, callback_minutes__lte=1440),
                name="line_callback_minutes_range",
            ),
            models.CheckConstraint(condition=~Q(greeting=""), name="line_greeting_required"),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def clean(self):
        errors = {}
        if self.work_start and self.work_end and self.work_start >= self.work_end:
            errors["work_end"] = _("Working hours must end after they start.")
        if self.callback_minutes is not None and not 1 <= self.callback_minutes <= 1440:
            errors["callback_minutes"] = _("Call back within 1 to 1440 minutes.")
        roles = self.allowed_roles
        if not isinstance(roles, list) or not roles:
            errors["allowed_roles"] = _("Choose at least one role that may answer the line.")
        elif unknown := sorted(set(roles) - set(Role.values)):
            errors["allowed_roles"] = _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("frontdesk:line_edit", args=[self.pk])

    @property
    def allowed_role_labels(self) -> list[str]:
        return [str(Role(code).label) for code in self.allowed_roles if code in Role.values]

    def in_working_hours(self, moment: datetime.datetime) -> bool:
        local = timezone.localtime(moment).time()
        return self.work_start <= local < self.work_end

    def may_answer(self, user) -> bool:
        """Return whether ``user`` holds one of the roles allowed to answer this line."""
        return bool(set(self.allowed_roles) & user.role_codes)


class Call(TimeStampedModel):
    """One incoming call on a front-desk line, as the person who answered wrote it down."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order / booking")
        SUPPLIER = "supplier", _("Supplier")
        ENQUIRY = "enquiry", _("Enquiry")
        COMPLAINT = "complaint", _("Complaint")
        EMPLOYEE = "employee", _("Call for an employee")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        HANDLED = "handled", _("Handled")
        CALLBACK = "callback", _("Callback promised")
        PASSED_ON = "passed_on", _("Passed on")
        AFTER_SHIFT = "after_shift", _("Asked to call after the shift")

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="calls")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="frontdesk_calls",
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)
    rings = models.PositiveSmallIntegerField(_("rings before answering"))
    caller_name = models.CharField(_("caller name"), max_length=100, blank=True)
    caller_number = models.CharField(_("caller number"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    request = models.TextField(_("what the caller wants"))
    confirmed = models.BooleanField(_("repeated back and confirmed"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    answerer_allowed = models.BooleanField(
        _("answerer allowed"),
        default=True,
        help_text=_("False when the person's role may not answer this line."),
    )
    in_working_hours = models.BooleanField(_("in working hours"), default=True)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        permissions = [("view_figures", _("Can see the front-desk figures"))]
        constraints = [
            models.CheckConstraint(condition=Q(rings__gte=1, rings__lte=30), name="call_rings_range"),
            models.CheckConstraint(condition=~Q(request=""), name="call_request_required"),
            models.CheckConstraint(
                condition=~Q(outcome="callback") | (~Q(caller_number="") & ~Q(caller_name="")),
                name="call_callback_needs_caller",
            ),
        ]
        indexes = [models.Index(fields=["line", "answered_at"], name="call_line_time_idx")]

    def __str__(self):
        return _("Call on %(line)s at %(time)s") % {
            "line": self.line.number if self.line_id else "",
            "time": timezone.localtime(self.answered_at).strftime("%Y-%m-%d %H:%M"),
        }

    def clean(self):
        errors = {}
        if self.rings is not None and not 1 <= self.rings <= 30:
            errors["rings"] = _("Rings before answering must be between 1 and 30.")
        if not (self.request or "").strip():
            errors["request"] = _("Write down what the caller wants.")
        if self.outcome == self.Outcome.CALLBACK:
            if not (self.caller_number or "").strip():
                errors["caller_number"] = _("A promised callback needs the caller's number.")
            if not (self.caller_name or "").strip():
                errors["caller_name"] = _("A promised callback needs the caller's name.")
        if errors:
            raise ValidationError(errors)

    @property
    def prompt(self) -> bool:
        return self.rings <= PROMPT_RINGS


class Callback(TimeStampedModel):
    """A callback promised on a call: its deadline and when it was made."""

    call = models.OneToOneField(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="callback"
    )
    due_at = models.DateTimeField(_("call back by"), db_index=True)
    done_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called back by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frontdesk_callbacks",
    )
    note = models.TextField(_("result"), blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="callback_done_by_with_done_at",
            ),
        ]
        indexes = [models.Index(fields=["done_at", "due_at"], name="callback_open_due_idx")]

    def __str__(self):
        return _("Callback to %(name)s %(number)s") % {
            "name": self.call.caller_name,
            "number": self.call.caller_number,
        }

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def on_time(self) -> bool | None:
        return None if self.done_at is None else self.done_at <= self.due_at

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.done_at is None and self.due_at < (now or timezone.now())


class UseRequest(TimeStampedModel):
    """An employee's request to use a line (or the office phone) for a personal call."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the floor manager")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="frontdesk_use_requests",
    )
    line = models.ForeignKey(
        Line,
        verbose_name=_("line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="use_requests",
        help_text=_("Leave empty for the office phone."),
    )
    reason = models.TextField(_("reason"))
    wanted_at = models.DateTimeField(_("wanted at"), default=timezone.now)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=5)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frontdesk_use_decisions",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("comment"), max_length=200, blank=True)

    class Meta:
        ordering = ["-wanted_at", "-pk"]
        verbose_name = _("personal-use request")
        verbose_name_plural = _("personal-use requests")
        permissions = [("decide_userequest", _("Can approve or refuse personal use of a phone"))]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="userequest_reason_required"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=120), name="userequest_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(status__in=["approved", "refused"], decided_by__isnull=False, decided_at__isnull=False)
                    & ~Q(decided_by=models.F("requester"))
                ),
                name="userequest_decision_consistent",
            ),
        ]

    def __str__(self):
        return _("%(employee)s: %(phone)s") % {"employee": self.requester, "phone": self.phone_label}

    def clean(self):
        errors = {}
        if not (self.reason or "").strip():
            errors["reason"] = _("Give the reason for the personal call.")
        if self.minutes is not None and not 1 <= self.minutes <= 120:
            errors["minutes"] = _("A personal call may take 1 to 120 minutes.")
        if errors:
            raise ValidationError(errors)

    @property
    def phone_label(self) -> str:
        return str(self.line) if self.line_id else str(_("Office phone"))


audit_register(Line)
audit_register(Call)
audit_register(Callback)
audit_register(UseRequest)
