"""Install, move, removal and number-change orders (装机单 / 移机单 / 拆机单 / 改号单) and their plans."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.audit import audit_register


class OrderKind(models.TextChoices):
    INSTALL = "install", _("Install")
    MOVE = "move", _("Move")
    REMOVAL = "removal", _("Removal")
    NUMBER_CHANGE = "number_change", _("Number change")


#: Readable number prefixes: 装机 ZJ, 移机 YJ, 拆机 CJ, 改号 GH.
NUMBER_PREFIXES = {
    OrderKind.INSTALL: "ZJ",
    OrderKind.MOVE: "YJ",
    OrderKind.REMOVAL: "CJ",
    OrderKind.NUMBER_CHANGE: "GH",
}


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


#: States in which an order still holds its reservations and may still be worked on.
OPEN_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.SUBMITTED,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.RETURNED,
)
CLOSED_STATUSES = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)


class OrderNumberCounter(models.Model):
    """The last number handed out for one prefix in one year; locked while a number is taken."""

    prefix = models.CharField(_("prefix"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("order number counter")
        verbose_name_plural = _("order number counters")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="workorder_counter_unique")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class WorkOrder(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrderKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="workorders_requested",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="workorders",
    )
    person = models.CharField(
        _("phone user"), max_length=100, help_text=_("The person the telephone is for.")
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    building = models.CharField(_("building"), max_length=50)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=50)
    outlet = models.CharField(
        _("outlet"), max_length=50, blank=True, help_text=_("For example A-1203-2, if known.")
    )
    extension = models.CharField(
        _("extension"),
        max_length=20,
        blank=True,
        help_text=_("The existing extension (move, removal, number change) or the wanted one (install)."),
    )
    assign_extension = models.BooleanField(
        _("assign an extension"),
        default=False,
        help_text=_("Install: let the engineers choose a free number."),
    )
    new_extension = models.CharField(
        _("new extension"), max_length=20, blank=True, help_text=_("Number change: the wanted new number.")
    )
    wanted_date = models.DateField(_("wanted date"))
    notes = models.TextField(_("notes"), blank=True)
    function_change_request = models.PositiveIntegerField(
        _("function-change request"),
        null=True,
        blank=True,
        help_text=_(
            "Number of the linked function-change request; the order cannot complete until it is approved."
        ),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workorders_assigned",
    )
    # The engineer's plan besides the jumper steps.
    planned_port = models.CharField(_("planned PBX port"), max_length=40, blank=True)
    planned_extension = models.CharField(_("planned extension"), max_length=20, blank=True)
    planned_outlet = models.CharField(_("planned outlet"), max_length=50, blank=True)
    plan_notes = models.TextField(_("plan notes"), blank=True)
    previous_location = models.CharField(_("previous location"), max_length=100, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        permissions = [
            ("view_all_workorders", _("Can see every work order")),
            ("dispatch_workorder", _("Can assign and return work orders")),
            ("execute_workorder", _("Can plan, start and complete work orders")),
        ]
        indexes = [
            models.Index(fields=["status", "wanted_date"], name="workorder_status_wanted_idx"),
            models.Index(fields=["requester", "-created_at"], name="workorder_requester_idx"),
            models.Index(fields=["assignee", "status"], name="workorder_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OrderKind.values), name="workorder_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="workorder_status_valid"),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS, OrderStatus.COMPLETED]
                )
                | Q(assignee__isnull=False),
                name="workorder_assigned_has_assignee",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="workorder_completed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.RETURNED) | ~Q(return_reason=""),
                name="workorder_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrderKind.INSTALL) | ~Q(extension=""),
                name="workorder_existing_extension_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrderKind.INSTALL) | ~Q(extension="") | Q(assign_extension=True),
                name="workorder_install_extension_wanted",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("workorders:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.wanted_date < timezone.localdate()

    @property
    def location(self) -> str:
        """Return the target location as building-room (the form used in notices: B-0507)."""
        return f"{self.building}-{self.room}"

    @property
    def target_extension(self) -> str:
        """Return the number the phone will have once the order is done."""
        if self.kind == OrderKind.NUMBER_CHANGE:
            return self.planned_extension or self.new_extension
        if self.kind == OrderKind.INSTALL:
            return self.planned_extension or self.extension
        return self.extension


class PlanStep(models.Model):
    """One jumper change of an order's plan: connect or disconnect two terminals of one frame."""

    class Action(models.TextChoices):
        CONNECT = "connect", _("Connect jumper")
        DISCONNECT = "disconnect", _("Disconnect jumper")

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("step"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    terminal_a = models.CharField(_("terminal A"), max_length=40, help_text=_("For example MDF-1/H03/17."))
    terminal_b = models.CharField(_("terminal B"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "position"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="workorder_step_position_unique"),
            models.CheckConstraint(
                condition=~Q(terminal_a=models.F("terminal_b")), name="workorder_step_two_ends"
            ),
            models.CheckConstraint(
                condition=Q(action__in=["connect", "disconnect"]), name="workorder_step_action_valid"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.get_action_display()} {self.terminal_a} ↔ {self.terminal_b}"


class TerminalReservation(models.Model):
    """A terminal (or PBX port, or ``#number`` for a new extension) held by one open order's plan.

    The unique ``terminal`` means no other open order may plan it; the row goes when the
    order completes, is cancelled or returned.
    """

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="reservations"
    )
    terminal = models.CharField(_("terminal"), max_length=40)
    created_at = models.DateTimeField(_("reserved at"), default=timezone.now)

    class Meta:
        ordering = ["terminal"]
        verbose_name = _("terminal reservation")
        verbose_name_plural = _("terminal reservations")
        constraints = [models.UniqueConstraint(fields=["terminal"], name="workorder_terminal_reserved_once")]

    def __str__(self):
        return f"{self.terminal} → {self.order_id}"


class OrderEvent(models.Model):
    """One transition of an order (or a plan change): who, when, from which state to which, and why."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("order history entry")
        verbose_name_plural = _("order history")

    def __str__(self):
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


audit_register(WorkOrder)
audit_register(PlanStep)
audit_register(TerminalReservation)
