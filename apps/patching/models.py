"""The physical patch table: locations, frames, blocks, terminals, PBX ports, cables, outlets,
extensions, jumpers, and the append-only history of every change.

Invariants kept by the database (so every door — UI, API, import, admin — obeys them):
a terminal carries at most one jumper (``JumperEnd.terminal`` is unique); a jumper's two ends
are different terminals (check) on the jumper's frame (a trigger, migration 0002, which also
keeps each ``JumperEnd`` true to its jumper);
an extension number is unique; a PBX port has at most one extension; a cable pair's ends
(near terminal, far terminal, outlet) are each unique; a pair never goes to both a far
terminal and an outlet. Designations are stored on each row for type-ahead and the table.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.audit import audit_register


class Building(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.CheckConstraint(condition=~models.Q(code__contains="-"), name="building_code_no_dash"),
        ]

    def __str__(self):
        return self.code


class Floor(models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="floors"
    )
    number = models.SmallIntegerField(_("floor"))

    class Meta:
        ordering = ["building__code", "number"]
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="floor_unique_number")]

    def __str__(self):
        return f"{self.building.code}-{self.number}F"


class Room(models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="rooms"
    )
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.CASCADE, related_name="rooms")
    number = models.CharField(_("room"), max_length=20)

    class Meta:
        ordering = ["building__code", "number"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="room_unique_number")]

    def __str__(self):
        return f"{self.building.code}-{self.number}"


class Frame(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main frame (MDF)")
        FLOOR = "floor", _("Floor frame (IDF)")

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frames",
    )
    floor = models.ForeignKey(
        Floor, verbose_name=_("floor"), on_delete=models.PROTECT, null=True, blank=True, related_name="frames"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True, related_name="frames"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("distribution frame")
        verbose_name_plural = _("distribution frames")
        constraints = [
            models.CheckConstraint(condition=~models.Q(code__contains="/"), name="frame_code_no_slash")
        ]

    def __str__(self):
        return self.code


class Block(models.Model):
    class Side(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment side")
        LINE = "line", _("Line side")

    frame = models.ForeignKey(Frame, verbose_name=_("frame"), on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField(_("block"), max_length=20)
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    size = models.PositiveSmallIntegerField(_("pairs"))

    class Meta:
        ordering = ["frame__code", "code"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["frame", "code"], name="block_unique_code"),
            models.CheckConstraint(condition=models.Q(size__gte=1), name="block_size_positive"),
        ]

    def __str__(self):
        return f"{self.frame.code}/{self.code}"


class Terminal(models.Model):
    """One numbered terminal (one pair) of a block. ``in use`` is derived; reserved and faulty are kept."""

    class Status(models.TextChoices):
        FREE = "free", _("Free")
        IN_USE = "in_use", _("In use")
        RESERVED = "reserved", _("Reserved")
        FAULTY = "faulty", _("Faulty")

    block = models.ForeignKey(
        Block, verbose_name=_("block"), on_delete=models.CASCADE, related_name="terminals"
    )
    frame = models.ForeignKey(
        Frame, verbose_name=_("frame"), on_delete=models.CASCADE, related_name="terminals"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    side = models.CharField(_("side"), max_length=10, choices=Block.Side.choices)
    designation = models.CharField(_("designation"), max_length=60, unique=True)
    faulty = models.BooleanField(_("faulty"), default=False)
    reserved_reference = models.CharField(_("reserved for"), max_length=60, blank=True, db_index=True)
    reserved_at = models.DateTimeField(_("reserved at"), null=True, blank=True)
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reserved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["designation"]
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        constraints = [
            models.UniqueConstraint(fields=["block", "position"], name="terminal_unique_position"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="terminal_position_positive"),
        ]

    def __str__(self):
        return self.designation


class Pbx(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("PBX")
        verbose_name_plural = _("PBXs")
        constraints = [
            models.CheckConstraint(condition=~models.Q(code__contains="/"), name="pbx_code_no_slash")
        ]

    def __str__(self):
        return self.code


class PbxPort(models.Model):
    pbx = models.ForeignKey(Pbx, verbose_name=_("PBX"), on_delete=models.CASCADE, related_name="ports")
    shelf = models.PositiveSmallIntegerField(_("shelf"))
    slot = models.PositiveSmallIntegerField(_("slot"))
    port = models.PositiveSmallIntegerField(_("port"))
    designation = models.CharField(_("designation"), max_length=60, unique=True)
    terminal = models.OneToOneField(
        Terminal,
        verbose_name=_("equipment terminal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pbx_port",
    )

    class Meta:
        ordering = ["designation"]
        verbose_name = _("PBX port")
        verbose_name_plural = _("PBX ports")
        constraints = [
            models.UniqueConstraint(fields=["pbx", "shelf", "slot", "port"], name="pbxport_unique")
        ]

    def __str__(self):
        return self.designation


class Cable(models.Model):
    class Kind(models.TextChoices):
        RISER = "riser", _("Riser")
        HORIZONTAL = "horizontal", _("Horizontal")

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RISER)
    pair_count = models.PositiveSmallIntegerField(_("pairs"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("cable")
        verbose_name_plural = _("cables")
        constraints = [
            models.CheckConstraint(condition=~models.Q(code__contains="/"), name="cable_code_no_slash")
        ]

    def __str__(self):
        return self.code


class Outlet(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="outlets")
    number = models.PositiveSmallIntegerField(_("number"))
    designation = models.CharField(_("designation"), max_length=60, unique=True)

    class Meta:
        ordering = ["designation"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [models.UniqueConstraint(fields=["room", "number"], name="outlet_unique_number")]

    def __str__(self):
        return self.designation


class CablePair(models.Model):
    """A numbered pair: a line-side terminal (near) to a terminal on another frame (far) or an outlet."""

    cable = models.ForeignKey(Cable, verbose_name=_("cable"), on_delete=models.CASCADE, related_name="pairs")
    number = models.PositiveSmallIntegerField(_("pair"))
    designation = models.CharField(_("designation"), max_length=60, unique=True)
    near_terminal = models.OneToOneField(
        Terminal,
        verbose_name=_("near terminal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pair_near",
    )
    far_terminal = models.OneToOneField(
        Terminal,
        verbose_name=_("far terminal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pair_far",
    )
    outlet = models.OneToOneField(
        Outlet,
        verbose_name=_("outlet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pair",
    )
    faulty = models.BooleanField(_("faulty"), default=False)

    class Meta:
        ordering = ["designation"]
        verbose_name = _("cable pair")
        verbose_name_plural = _("cable pairs")
        constraints = [
            models.UniqueConstraint(fields=["cable", "number"], name="pair_unique_number"),
            models.CheckConstraint(
                condition=models.Q(far_terminal__isnull=True) | models.Q(outlet__isnull=True),
                name="pair_one_far_end",
            ),
            models.CheckConstraint(
                condition=models.Q(near_terminal__isnull=True)
                | models.Q(far_terminal__isnull=True)
                | ~models.Q(near_terminal=models.F("far_terminal")),
                name="pair_ends_differ",
            ),
        ]

    def __str__(self):
        return self.designation


class Extension(models.Model):
    number = models.CharField(_("extension"), max_length=20, unique=True)
    user_name = models.CharField(_("user"), max_length=100, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    class_of_service = models.CharField(_("class of service"), max_length=60, blank=True)
    port = models.OneToOneField(
        PbxPort,
        verbose_name=_("PBX port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension",
    )
    outlet = models.ForeignKey(
        Outlet,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extensions",
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return self.number


class Jumper(models.Model):
    """A cross-connect between two terminals of one frame; its ends are unique in ``JumperEnd``."""

    frame = models.ForeignKey(
        Frame, verbose_name=_("frame"), on_delete=models.PROTECT, related_name="jumpers"
    )
    terminal_a = models.OneToOneField(
        Terminal, verbose_name=_("terminal A"), on_delete=models.PROTECT, related_name="jumper_as_a"
    )
    terminal_b = models.OneToOneField(
        Terminal, verbose_name=_("terminal B"), on_delete=models.PROTECT, related_name="jumper_as_b"
    )
    created_at = models.DateTimeField(_("connected at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("connected by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["terminal_a__designation"]
        verbose_name = _("jumper")
        verbose_name_plural = _("jumpers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(terminal_a=models.F("terminal_b")), name="jumper_ends_differ"
            ),
        ]

    def __str__(self):
        return f"{self.terminal_a} ↔ {self.terminal_b}"

    def clean(self):
        if self.terminal_a_id and self.terminal_b_id:
            if self.terminal_a_id == self.terminal_b_id:
                raise ValidationError(_("A jumper joins two different terminals."))
            if self.terminal_a.frame_id != self.terminal_b.frame_id:
                raise ValidationError(_("A jumper joins two terminals of the same frame."))


class JumperEnd(models.Model):
    """One end of a jumper. ``terminal`` is unique: the database's guarantee of one jumper per terminal."""

    jumper = models.ForeignKey(Jumper, on_delete=models.CASCADE, related_name="ends")
    terminal = models.OneToOneField(Terminal, on_delete=models.PROTECT, related_name="jumper_end")
    peer = models.OneToOneField(Terminal, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("jumper end")
        verbose_name_plural = _("jumper ends")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(terminal=models.F("peer")), name="jumperend_ends_differ"
            ),
        ]

    def __str__(self):
        return f"{self.terminal_id} → {self.peer_id}"


class PatchEvent(models.Model):
    """An append-only history entry: who, when, what, both ends, why, and what for.

    Jumper changes fill both ends; a reservation, a release or a fault mark fills end A only
    (a terminal, or for a cable pair's fault its designation with no terminal: ``data["kind"]``
    says which). A rename of a frame, block, PBX, cable, building or room keeps the old name in
    end A and the new one in end B (``data["kind"]`` says what was renamed); entries written
    before it keep the designations as they were. Only connect and disconnect rebuild past
    jumpers, only the extension actions past extensions.
    """

    class Action(models.TextChoices):
        CONNECT = "connect", _("Connect")
        DISCONNECT = "disconnect", _("Disconnect")
        RESERVE = "reserve", _("Reserve")
        RELEASE = "release", _("Release")
        EXTENSION_ADD = "extension_add", _("Extension added")
        EXTENSION_CHANGE = "extension_change", _("Extension changed")
        EXTENSION_REMOVE = "extension_remove", _("Extension removed")
        FAULTY = "faulty", _("Marked faulty")
        WORKING = "working", _("Marked working")
        RENAME = "rename", _("Renamed")

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    jumper_key = models.BigIntegerField(_("jumper"), null=True, blank=True, db_index=True)
    terminal_a = models.ForeignKey(
        Terminal,
        verbose_name=_("terminal A"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    terminal_b = models.ForeignKey(
        Terminal,
        verbose_name=_("terminal B"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    a_designation = models.CharField(_("end A"), max_length=60, blank=True, db_index=True)
    b_designation = models.CharField(_("end B"), max_length=60, blank=True, db_index=True)
    extension_number = models.CharField(_("extension"), max_length=20, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["terminal_a", "at"], name="patchevent_a_idx"),
            models.Index(fields=["terminal_b", "at"], name="patchevent_b_idx"),
            models.Index(fields=["action", "at"], name="patchevent_action_idx"),
            # A cable pair's fault marks are found by its designation (pairs have no foreign key here).
            models.Index(fields=["a_designation", "at"], name="patchevent_a_name_idx"),
        ]

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.a_designation} {self.b_designation}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("History entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History entries cannot be deleted."))


class DepartmentSubscription(models.Model):
    """A department that wants to hear about added, removed and changed telephones."""

    department = models.OneToOneField(
        "accounts.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["department__name"]
        verbose_name = _("department subscription")
        verbose_name_plural = _("department subscriptions")

    def __str__(self):
        return str(self.department)


for _model in (Building, Floor, Room, Frame, Block, Pbx, Cable, Extension, DepartmentSubscription):
    audit_register(_model)
