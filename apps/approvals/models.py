"""Function-change requests (功能调整), the chief engineer's decisions, and adjustment records (调整记录).

Extensions are referred to by their number and the PBX by its name, as text: the
patch table is another app and is reached only through its own services.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.audit import audit_register
from apps.core.models import TimeStampedModel


class ChangeKind(models.TextChoices):
    CLASS_OF_SERVICE = "class_of_service", _("Class of service / call restriction")
    CALL_FORWARDING = "call_forwarding", _("Call forwarding")
    GROUP = "group", _("Hunt or pickup group")
    TRUNK_ROUTE = "trunk_route", _("Trunk route")
    DIAL_PLAN = "dial_plan", _("Dial plan")
    VOICEMAIL = "voicemail", _("Voicemail")
    SYSTEM_PARAMETER = "system_parameter", _("System parameter")
    OTHER = "other", _("Other")


class TargetScope(models.TextChoices):
    EXTENSIONS = "extensions", _("Extensions")
    PBX = "pbx", _("PBX")
    SYSTEM = "system", _("Whole system")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FunctionChange(TimeStampedModel):
    """A request to change a function of the telephone system, and where it stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        IMPLEMENTED = "implemented", _("Implemented")
        VERIFIED = "verified", _("Verified")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The fields that make up what is decided: a snapshot of them is kept per revision.
    CONTENT_FIELDS = (
        "title",
        "kind",
        "target_scope",
        "target_extensions",
        "target_pbx",
        "current_value",
        "wanted_value",
        "reason",
        "risk_level",
        "service_interruption",
        "impact",
        "planned_start",
        "planned_end",
        "steps",
        "rollback_plan",
    )
    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.REJECTED)
    DECIDED_STATUSES = (Status.APPROVED, Status.IMPLEMENTED, Status.VERIFIED)

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of change"), max_length=30, choices=ChangeKind.choices)
    target_scope = models.CharField(_("target"), max_length=20, choices=TargetScope.choices)
    target_extensions = models.CharField(
        _("extensions"),
        max_length=500,
        blank=True,
        help_text=_("Extension numbers separated by commas or spaces."),
    )
    target_pbx = models.CharField(_("PBX"), max_length=100, blank=True)
    current_value = models.TextField(_("current value"))
    wanted_value = models.TextField(_("wanted value"))
    reason = models.TextField(_("reason"))
    risk_level = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    service_interruption = models.BooleanField(_("service will stop"), default=False)
    impact = models.TextField(_("impact (who is affected)"), blank=True)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    steps = models.TextField(_("implementation steps"))
    rollback_plan = models.TextField(_("rollback plan"))

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("change request", "requested by"),
        on_delete=models.PROTECT,
        related_name="function_changes",
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    decided_revision = models.ForeignKey(
        "FunctionChangeRevision",
        verbose_name=_("decided version"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("implemented by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("function change")
        verbose_name_plural = _("function changes")
        permissions = [
            ("approve_functionchange", _("Can approve or reject function changes")),
            ("implement_functionchange", _("Can implement approved function changes")),
            ("verify_functionchange", _("Can verify any implemented function change")),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="functionchange_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "approved",
                        "rejected",
                        "implemented",
                        "verified",
                        "withdrawn",
                    ]
                ),
                name="functionchange_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")), name="functionchange_window_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(target_scope=TargetScope.EXTENSIONS) | ~Q(target_extensions=""),
                name="functionchange_extensions_named",
            ),
            models.CheckConstraint(
                condition=~Q(target_scope=TargetScope.PBX) | ~Q(target_pbx=""),
                name="functionchange_pbx_named",
            ),
            # Nobody decides their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requester")),
                name="functionchange_not_self_decided",
            ),
            # Approved, implemented and verified requests carry the decision and the version decided.
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected", "implemented", "verified"])
                | Q(decided_by__isnull=False, decided_at__isnull=False, decided_revision__isnull=False),
                name="functionchange_decided_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_comment=""),
                name="functionchange_rejection_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["implemented", "verified"])
                | Q(implemented_by__isnull=False, implemented_at__isnull=False),
                name="functionchange_implemented_has_engineer",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="functionchange_verified_has_verifier",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False) | Q(status="withdrawn"),
                name="functionchange_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("approvals:detail", args=[self.pk])

    @property
    def code(self) -> str:
        return f"FC-{self.pk or 0:05d}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status in self.DECIDED_STATUSES

    @property
    def extension_list(self) -> list[str]:
        return [e for e in self.target_extensions.replace(",", " ").replace("，", " ").split() if e]

    @property
    def target_display(self) -> str:
        if self.target_scope == TargetScope.EXTENSIONS:
            return ", ".join(self.extension_list)
        if self.target_scope == TargetScope.PBX:
            return self.target_pbx
        return str(TargetScope.SYSTEM.label)

    def pending_age(self, now=None):
        if self.status != self.Status.SUBMITTED or not self.submitted_at:
            return None
        return (now or timezone.now()) - self.submitted_at

    def content(self) -> dict:
        """Return what is decided, as JSON-ready values."""
        data = {}
        for name in self.CONTENT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return data


class FunctionChangeRevision(models.Model):
    """A frozen copy of a request as it was submitted: a decision applies to one of these."""

    request = models.ForeignKey(
        FunctionChange, verbose_name=_("request"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    data = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["request", "number"]
        verbose_name = _("function change version")
        verbose_name_plural = _("function change versions")
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="functionchangerevision_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="functionchangerevision_number_positive"),
        ]

    def __str__(self):
        return f"{self.request.code} v{self.number}"

    @staticmethod
    def display_value(name: str, value):
        """Return one stored content value as a person reads it."""
        field = FunctionChange._meta.get_field(name)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(field, models.BooleanField):
            return _("Yes") if value else _("No")
        if isinstance(field, models.DateTimeField) and value:
            return timezone.localtime(models.DateTimeField().to_python(value)).strftime("%Y-%m-%d %H:%M")
        return value

    def display_items(self) -> list[tuple[str, str]]:
        """Return (label, value) pairs in the form's order, for showing what was decided."""
        return [
            (
                capfirst(FunctionChange._meta.get_field(name).verbose_name),
                self.display_value(name, self.data.get(name)),
            )
            for name in FunctionChange.CONTENT_FIELDS
        ]

    def differences_from(self, other: "FunctionChangeRevision") -> list[tuple[str, str, str]]:
        """Return (label, value in ``other``, value here) for every field that differs."""
        rows = []
        for name in FunctionChange.CONTENT_FIELDS:
            before, after = other.data.get(name), self.data.get(name)
            if before != after:
                label = capfirst(FunctionChange._meta.get_field(name).verbose_name)
                rows.append((label, self.display_value(name, before), self.display_value(name, after)))
        return rows


class FunctionChangeEvent(models.Model):
    """One transition of a request: who, when, from which state to which, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Drafted")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted")
        RESUBMITTED = "resubmitted", _("Edited after submission, back to pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IMPLEMENTED = "implemented", _("Implemented")
        VERIFIED = "verified", _("Verified")

    request = models.ForeignKey(
        FunctionChange, verbose_name=_("request"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=FunctionChange.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=FunctionChange.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    revision = models.ForeignKey(
        FunctionChangeRevision,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("function change event")
        verbose_name_plural = _("function change events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__in=["approved", "rejected"]) | Q(revision__isnull=False),
                name="functionchangeevent_decision_has_version",
            ),
        ]

    def __str__(self):
        return f"{self.request.code} {self.get_action_display()}"


class AdjustmentRecord(TimeStampedModel):
    """An adjustment made to the telephone system (调整记录): from an approved request or logged by hand."""

    class Source(models.TextChoices):
        REQUEST = "request", _("Approved function change")
        MANUAL = "manual", _("Routine (logged by hand)")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    request = models.OneToOneField(
        FunctionChange,
        verbose_name=_("function change"),
        on_delete=models.PROTECT,
        related_name="adjustment",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind of change"), max_length=30, choices=ChangeKind.choices)
    what = models.CharField(_("what was adjusted"), max_length=200)
    target_scope = models.CharField(_("target"), max_length=20, choices=TargetScope.choices)
    target_extensions = models.CharField(_("extensions"), max_length=500, blank=True)
    target_pbx = models.CharField(_("PBX"), max_length=100, blank=True)
    before_value = models.TextField(_("before"))
    after_value = models.TextField(_("after"))
    reason = models.TextField(_("why"))
    notes = models.TextField(_("notes"), blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        related_name="adjustment_records",
    )
    performed_at = models.DateTimeField(_("performed at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("adjustment record")
        verbose_name_plural = _("adjustment records")
        constraints = [
            models.CheckConstraint(
                condition=Q(source="request", request__isnull=False)
                | Q(source="manual", request__isnull=True),
                name="adjustmentrecord_source_matches_request",
            ),
            models.CheckConstraint(
                condition=~Q(target_scope=TargetScope.EXTENSIONS) | ~Q(target_extensions=""),
                name="adjustmentrecord_extensions_named",
            ),
            models.CheckConstraint(
                condition=~Q(target_scope=TargetScope.PBX) | ~Q(target_pbx=""),
                name="adjustmentrecord_pbx_named",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.what}"

    @property
    def code(self) -> str:
        return f"ADJ-{self.pk or 0:05d}"

    @property
    def target_display(self) -> str:
        if self.target_scope == TargetScope.EXTENSIONS:
            return ", ".join(e for e in self.target_extensions.replace(",", " ").split() if e)
        if self.target_scope == TargetScope.PBX:
            return self.target_pbx
        return str(TargetScope.SYSTEM.label)


audit_register(FunctionChange)
audit_register(FunctionChangeRevision)
audit_register(FunctionChangeEvent)
audit_register(AdjustmentRecord)
