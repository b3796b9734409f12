"""Fault reports and equipment-room duty: faults, actions, escalations, inspections, access log, documents."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


# Defaults of the issue: minutes to acknowledge, minutes to restore.
DEFAULT_TARGETS = {
    Severity.CRITICAL: (15, 4 * 60),
    Severity.MAJOR: (60, 24 * 60),
    Severity.MINOR: (4 * 60, 72 * 60),
}
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}


class ItemKind(models.TextChoices):
    EXTENSION = "extension", _("Extension")
    OUTLET = "outlet", _("Outlet")
    LINE = "line", _("Line")
    PBX = "pbx", _("PBX")
    FRAME = "frame", _("Distribution frame")
    EQUIPMENT = "equipment", _("Other equipment")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    INSPECTION = "inspection", _("Inspection")
    SYSTEM = "system", _("System")


class Cause(models.TextChoices):
    PBX = "pbx", _("PBX")
    FRAME = "frame", _("Frame / jumper")
    CABLE = "cable", _("Cable")
    OUTLET = "outlet", _("Outlet")
    HANDSET = "handset", _("Handset")
    POWER = "power", _("Power")
    USER_ERROR = "user_error", _("User error")
    OTHER = "other", _("Other")


class ResponseTarget(models.Model):
    """How fast a fault of one severity must be acknowledged and restored."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    respond_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    restore_minutes = models.PositiveIntegerField(_("restore target (minutes)"))

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(respond_minutes__gt=0) & Q(restore_minutes__gt=0), name="faults_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(restore_minutes__gte=F("respond_minutes")),
                name="faults_target_restore_after_respond",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="faults_target_severity_valid"
            ),
        ]

    def __str__(self):
        return str(self.get_severity_display())

    def clean(self):
        if self.respond_minutes and self.restore_minutes and self.restore_minutes < self.respond_minutes:
            raise ValidationError(
                {"restore_minutes": _("The restore target cannot be shorter than the response target.")}
            )


class FaultNumberCounter(models.Model):
    """The last fault number handed out in a year; locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("fault number counter")
        verbose_name_plural = _("fault number counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Fault(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        RESTORED = "restored", _("Service restored")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.REPORTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD)

    number = models.CharField(_("fault number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    item_kind = models.CharField(_("affected item"), max_length=12, choices=ItemKind.choices)
    item = models.CharField(
        _("designation"),
        max_length=100,
        db_index=True,
        help_text=_("Extension number, outlet, line, PBX or frame designation, e.g. 8123 or MDF-1/H03/17."),
    )
    symptom = models.TextField(_("symptom"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    channel = models.CharField(
        _("reported by"), max_length=12, choices=Channel.choices, default=Channel.PHONE
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reported_faults",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.REPORTED)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_faults",
    )
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices, blank=True)
    resolution = models.TextField(_("closing note"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    inspection_round = models.ForeignKey(
        "InspectionRound",
        verbose_name=_("inspection round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="faults",
    )
    inspection_result = models.OneToOneField(
        "InspectionResult",
        verbose_name=_("inspection item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fault",
    )

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("fault")
        verbose_name_plural = _("faults")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="faults_fault_number_per_year"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="faults_fault_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["reported", "acknowledged", "in_progress", "on_hold", "restored", "closed"]
                ),
                name="faults_fault_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(item_kind__in=ItemKind.values), name="faults_fault_item_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(item=""), name="faults_fault_item_required"),
            models.CheckConstraint(
                condition=Q(status="reported") | Q(acknowledged_at__isnull=False),
                name="faults_fault_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("reported_at")),
                name="faults_fault_acknowledged_after_report",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_progress") | Q(assignee__isnull=False),
                name="faults_fault_in_progress_has_engineer",
            ),
            models.CheckConstraint(
                condition=~Q(status="on_hold") | ~Q(hold_reason=""), name="faults_fault_hold_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["restored", "closed"]) | Q(restored_at__isnull=False),
                name="faults_fault_restored_has_time",
            ),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True) | Q(restored_at__gte=F("reported_at")),
                name="faults_fault_restored_after_report",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(cause="") & Q(closed_at__isnull=False)),
                name="faults_fault_closed_has_cause",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "severity"], name="faults_fault_status_idx"),
            models.Index(fields=["item_kind", "item"], name="faults_fault_item_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("faults:detail", args=[self.number])

    def clean(self):
        errors = {}
        if self.status == self.Status.ON_HOLD and not self.hold_reason.strip():
            errors["hold_reason"] = _("A fault on hold needs the reason.")
        if self.status == self.Status.CLOSED and not self.cause:
            errors["cause"] = _("A closed fault needs its cause.")
        if self.status == self.Status.IN_PROGRESS and self.assignee_id is None:
            errors["assignee"] = _("A fault in progress needs the engineer working on it.")
        if self.restored_at and self.reported_at and self.restored_at < self.reported_at:
            errors["restored_at"] = _("Service cannot be restored before the fault was reported.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def severity_order(self) -> int:
        return SEVERITY_ORDER[self.severity]


class FaultAction(models.Model):
    """One remedial action an engineer took on a fault."""

    fault = models.ForeignKey(
        Fault, verbose_name=_("fault"), on_delete=models.CASCADE, related_name="actions"
    )
    performed_at = models.DateTimeField(_("done at"), default=timezone.now)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("what was done"))
    jumpers_changed = models.BooleanField(_("jumpers changed"), default=False)
    patch_reference = models.CharField(
        _("patch table reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference the jumper changes were recorded under on the patch table."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["performed_at", "pk"]
        verbose_name = _("remedial action")
        verbose_name_plural = _("remedial actions")
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="faults_action_description_required"),
            models.CheckConstraint(
                condition=Q(jumpers_changed=True) | Q(patch_reference=""),
                name="faults_action_reference_only_with_jumpers",
            ),
        ]

    def __str__(self):
        return self.description[:50]


class FaultEvent(models.Model):
    """The fault's timeline: every transition, action and escalation, in order."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        TAKEN = "taken", _("Taken")
        ACTION = "action", _("Remedial action")
        HELD = "held", _("Put on hold")
        RESUMED = "resumed", _("Resumed")
        RESTORED = "restored", _("Service restored")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        ESCALATED = "escalated", _("Escalated")

    fault = models.ForeignKey(Fault, verbose_name=_("fault"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("details"), blank=True)
    action = models.OneToOneField(
        FaultAction, verbose_name=_("remedial action"), on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("fault event")
        verbose_name_plural = _("fault events")

    def __str__(self):
        return f"{self.fault_id} {self.kind}"


class FaultEscalation(models.Model):
    """One escalation of an overdue fault; each (target, stage) happens at most once."""

    class Target(models.TextChoices):
        RESPONSE = "response", _("Response")
        RESTORE = "restore", _("Restore")

    class Stage(models.IntegerChoices):
        ENGINEERS = 1, _("Engineers notified")
        CHIEF = 2, _("Chief engineer notified")

    fault = models.ForeignKey(
        Fault, verbose_name=_("fault"), on_delete=models.CASCADE, related_name="escalations"
    )
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices)
    escalated_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        ordering = ["escalated_at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["fault", "target", "stage"], name="faults_escalation_once_per_stage"
            ),
            models.CheckConstraint(condition=Q(stage__in=[1, 2]), name="faults_escalation_stage_valid"),
        ]

    def __str__(self):
        return f"{self.fault_id} {self.target} {self.stage}"


# Equipment-room duty ------------------------------------------------------------------------


class ChecklistTemplate(TimeStampedModel):
    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Monday to Sunday)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    room = models.CharField(_("room"), max_length=100, default="电话机房")
    frequency = models.CharField(
        _("schedule"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return self.name

    def slot_for(self, day):
        """Return the first day of the period ``day`` falls in (the day itself, or its Monday)."""
        if self.frequency == self.Frequency.WEEKLY:
            return day - datetime.timedelta(days=day.weekday())
        return day


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        PASS_FAIL = "pass_fail", _("Pass / fail")
        NUMBER = "number", _("Number with limits")
        TEXT = "text", _("Text")

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("item"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PASS_FAIL)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    min_value = models.DecimalField(
        _("lowest normal value"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest normal value"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["template", "label"], name="faults_checklist_item_unique_label"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=F("max_value")),
                name="faults_checklist_item_limits_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="number") | (Q(min_value__isnull=True) & Q(max_value__isnull=True)),
                name="faults_checklist_item_limits_only_for_numbers",
            ),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.kind != self.Kind.NUMBER and (self.min_value is not None or self.max_value is not None):
            raise ValidationError(_("Only number items have normal limits."))
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError(
                {
                    "max_value": _("%(label)s: the highest normal value is below the lowest.")
                    % {"label": self.label}
                }
            )

    def limits_display(self) -> str:
        if self.kind != self.Kind.NUMBER:
            return ""
        low = "" if self.min_value is None else f"{self.min_value.normalize():f}"
        high = "" if self.max_value is None else f"{self.max_value.normalize():f}"
        return f"{low}–{high} {self.unit}".strip()


class InspectionRound(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist template"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    slot = models.DateField(_("for the period starting"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(_("done at"), default=timezone.now)
    notes = models.TextField(_("notes"), blank=True)
    abnormal_count = models.PositiveSmallIntegerField(_("abnormal items"), default=0)

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        constraints = [
            models.UniqueConstraint(fields=["template", "slot"], name="faults_round_once_per_slot"),
        ]

    def __str__(self):
        return f"{self.template} {self.slot}"

    def get_absolute_url(self):
        return reverse("faults:round_detail", args=[self.pk])


class InspectionResult(models.Model):
    round = models.ForeignKey(
        InspectionRound, verbose_name=_("inspection round"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("text"), max_length=500, blank=True)
    abnormal = models.BooleanField(_("abnormal"), default=False)

    class Meta:
        ordering = ["round", "item__position", "pk"]
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="faults_result_once_per_item"),
        ]

    def __str__(self):
        return f"{self.item} {self.display_value()}"

    def display_value(self) -> str:
        if self.passed is not None:
            return str(_("Normal") if self.passed else _("Abnormal"))
        if self.value is not None:
            return f"{self.value.normalize():f} {self.item.unit}".strip()
        return self.text


class AccessEntry(models.Model):
    """One entry to the equipment room: who, why, escorted by whom, in and out."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="room_entries",
    )
    person_name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    room_staff = models.BooleanField(_("equipment-room staff"), default=False, editable=False)
    escort = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escorted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escorted_entries",
    )
    entered_at = models.DateTimeField(_("time in"), default=timezone.now, db_index=True)
    left_at = models.DateTimeField(_("time out"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        constraints = [
            models.CheckConstraint(
                condition=Q(room_staff=True) | Q(escort__isnull=False), name="faults_access_visitor_escorted"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("entered_at")),
                name="faults_access_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(escort__isnull=True) | ~Q(escort=F("person")),
                name="faults_access_not_own_escort",
            ),
            models.CheckConstraint(condition=~Q(person_name="") & ~Q(purpose=""), name="faults_access_named"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(left_at__isnull=True, person__isnull=False),
                name="faults_access_one_open_entry_per_person",
            ),
        ]

    def __str__(self):
        return self.person_name

    def clean(self):
        if not self.room_staff and self.escort_id is None:
            raise ValidationError(
                {
                    "escort": _(
                        "%(name)s is not equipment-room staff and may only enter with an escort: "
                        "choose who escorts them."
                    )
                    % {"name": self.person_name}
                }
            )
        if self.person_id and self.escort_id == self.person_id:
            raise ValidationError({"escort": _("Nobody can escort themselves.")})
        if self.left_at and self.entered_at and self.left_at < self.entered_at:
            raise ValidationError({"left_at": _("The time out cannot be before the time in.")})


class Document(TimeStampedModel):
    class Category(models.TextChoices):
        MANUAL = "manual", _("Manual")
        DRAWING = "drawing", _("Drawing")
        RECORD = "record", _("Room record")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200, unique=True)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.MANUAL
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    current_version = models.PositiveIntegerField(_("current version"), default=0)

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("faults:document_detail", args=[self.pk])


def document_upload_to(instance, filename):
    """Store under a random name: the user's file name is kept only as data."""
    suffix = Path(filename).suffix.lower()
    now = timezone.now()
    return f"faults/documents/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="faults_document_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="faults_document_version_positive"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def get_absolute_url(self):
        return reverse("faults:document_download", args=[self.pk])


from apps.core.audit import audit_register  # noqa: E402 - registration after the models

for _model in (
    ResponseTarget,
    Fault,
    FaultAction,
    FaultEvent,
    FaultEscalation,
    ChecklistTemplate,
    ChecklistItem,
    InspectionRound,
    InspectionResult,
    AccessEntry,
    Document,
    DocumentVersion,
):
    audit_register(_model)
