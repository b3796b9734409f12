"""Report schedules and report runs.

A run is one workbook produced for one kind with one set of parameters, on demand
(``requested_by``) or for one slot of a schedule (``schedule`` + ``slot``). The
uniqueness of kind + parameters + slot makes a slot yield one file however often its
task is delivered.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.audit import audit_register


def report_file_path(run, filename):
    created = run.created_at
    return f"reports/{created:%Y/%m}/{filename}"


class ReportSchedule(models.Model):
    """When a report kind is produced by itself, with which parameters, and who gets it."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("report"), max_length=50)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    time = models.TimeField(_("time (Beijing time)"))
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"), choices=Weekday.choices, null=True, blank=True
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        help_text=_("1 to 28, so that every month has the day."),
    )
    recipient_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient users"), blank=True, related_name="+"
    )
    recipient_roles = models.JSONField(_("recipient roles"), default=list, blank=True)
    recipient_departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("recipient departments"), blank=True, related_name="+"
    )
    recipient_addresses = models.TextField(
        _("other mail addresses"), blank=True, help_text=_("One address per line.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        verbose_name=_("periodic task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=["daily", "weekly", "monthly"]),
                name="report_schedule_frequency_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="weekly") | models.Q(weekday__gte=1, weekday__lte=7),
                name="report_schedule_weekly_has_weekday",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="monthly")
                | models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="report_schedule_monthly_has_day",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reports:schedule_edit", args=[self.pk])

    def clean(self):
        errors = {}
        if self.frequency == self.Frequency.WEEKLY and not self.weekday:
            errors["weekday"] = _("A weekly schedule needs the day of the week.")
        if self.frequency == self.Frequency.MONTHLY and not (
            self.day_of_month and 1 <= self.day_of_month <= 28
        ):
            errors["day_of_month"] = _("A monthly schedule needs a day of the month from 1 to 28.")
        if errors:
            raise ValidationError(errors)

    @property
    def addresses(self) -> list[str]:
        return [a.strip() for a in self.recipient_addresses.replace(",", "\n").splitlines() if a.strip()]

    def when_display(self) -> str:
        time = self.time.strftime("%H:%M")
        if self.frequency == self.Frequency.WEEKLY:
            return _("Every %(weekday)s at %(time)s") % {"weekday": self.get_weekday_display(), "time": time}
        if self.frequency == self.Frequency.MONTHLY:
            return _("Day %(day)s of every month at %(time)s") % {"day": self.day_of_month, "time": time}
        return _("Every day at %(time)s") % {"time": time}


class ReportRun(models.Model):
    """One workbook produced (or being produced) for one kind and one set of parameters."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("report"), max_length=50, db_index=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    parameters_key = models.CharField(_("parameters key"), max_length=64, editable=False)
    parameters_text = models.CharField(_("parameters"), max_length=500, blank=True)
    schedule = models.ForeignKey(
        ReportSchedule,
        verbose_name=_("schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
    )
    slot = models.DateTimeField(_("scheduled slot"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=report_file_path, max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    file_deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "parameters_key", "slot"],
                condition=models.Q(slot__isnull=False),
                name="report_run_one_per_slot",
                violation_error_message=_("This report has already been produced for this slot."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="report_run_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="succeeded") | models.Q(row_count__isnull=False),
                name="report_run_succeeded_has_rows",
            ),
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="report_run_kind_idx")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.SUCCEEDED and bool(self.file)

    def get_download_url(self):
        return reverse("reports:download", args=[self.pk])


audit_register(ReportSchedule, m2m_fields={"recipient_users", "recipient_departments"})
