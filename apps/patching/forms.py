from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Department

from .models import PatchEvent
from .selectors import parse_moment


class MomentField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_moment(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a moment like 2026-03-01 09:30.")) from exc


def _designation_widget(kind, placeholder):
    return forms.TextInput(
        attrs={
            "class": "form-control",
            "data-typeahead": kind,
            "placeholder": placeholder,
            "autocomplete": "off",
        }
    )


class TableFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    building = forms.CharField(label=_("Building"), required=False)
    floor = forms.IntegerField(label=_("Floor"), required=False)
    room = forms.CharField(label=_("Room"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    frame = forms.CharField(label=_("Frame"), required=False)
    status = forms.ChoiceField(
        label=pgettext_lazy("which rows", "Rows"),
        required=False,
        choices=[("", _("All rows")), ("extension", _("Extensions")), ("spare", _("Spare outlets"))],
    )
    at = MomentField(label=_("As at"), required=False, help_text=_("a past moment, e.g. 2026-03-01 09:30"))

    def filters(self) -> dict:
        data = self.cleaned_data
        out = {
            k: data.get(k)
            for k in ("q", "building", "floor", "room", "frame", "status")
            if data.get(k) not in (None, "")
        }
        if data.get("department"):
            out["department"] = data["department"].pk
        return out


class ConnectForm(forms.Form):
    terminal_a = forms.CharField(
        label=_("Terminal A"), widget=_designation_widget("terminal", "MDF-1/H03/17")
    )
    terminal_b = forms.CharField(
        label=_("Terminal B"), widget=_designation_widget("terminal", "MDF-1/V05/02")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)


class DisconnectForm(forms.Form):
    terminal = forms.CharField(
        label=_("Terminal"), widget=_designation_widget("terminal-used", "MDF-1/H03/17")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)


class MoveForm(forms.Form):
    terminal = forms.CharField(
        label=_("Move the end on"), widget=_designation_widget("terminal-used", "MDF-1/V05/02")
    )
    new_terminal = forms.CharField(
        label=_("to terminal"), widget=_designation_widget("terminal", "MDF-1/V05/03")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)


class HistoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Designation or extension"), required=False)
    since = MomentField(label=pgettext_lazy("moment", "From"), required=False)
    until = MomentField(label=_("Until"), required=False)
    reference = forms.CharField(label=_("Reference"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All"))] + PatchEvent.Action.choices
    )
    user = forms.CharField(label=_("User (login name)"), required=False)


class DiffForm(forms.Form):
    before = MomentField(label=pgettext_lazy("moment", "From"))
    after = MomentField(label=pgettext_lazy("moment", "To"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row and change nothing"), required=False, initial=True
    )


class ExtensionForm(forms.Form):
    number = forms.CharField(label=_("Extension"), max_length=20)
    user_name = forms.CharField(label=_("User"), max_length=100, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    class_of_service = forms.CharField(label=_("Class of service"), max_length=60, required=False)
    port = forms.CharField(
        label=_("PBX port"), required=False, widget=_designation_widget("port", "PBX-1/1-02-05")
    )
    outlet = forms.CharField(
        label=_("Outlet"), required=False, widget=_designation_widget("outlet", "A-1203-2")
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)


class SubscriptionForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())


class FaultyForm(forms.Form):
    designation = forms.CharField(
        label=_("Terminal or cable pair"),
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "MDF-1/H03/17, R-07/12"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)


def _terminals_widget(kind):
    widget = _designation_widget(kind, "MDF-1/H03/1-10, MDF-1/H03/15")
    widget.attrs["data-typeahead-multi"] = "1"
    return widget


class ReserveForm(forms.Form):
    terminals = forms.CharField(
        label=_("Terminals"),
        max_length=2000,
        widget=_terminals_widget("terminal-free"),
        help_text=_("One or more terminals or ranges, such as MDF-1/H03/1-10."),
    )
    reference = forms.CharField(
        label=_("Work order or note"),
        max_length=60,
        help_text=_("What the terminals are kept for; only a jumper under this reference may use them."),
    )


class ReleaseForm(forms.Form):
    terminals = forms.CharField(
        label=_("Terminals"), max_length=2000, required=False, widget=_terminals_widget("terminal-reserved")
    )
    reference = forms.CharField(
        label=_("Only those reserved for"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to release them whatever they are reserved for."),
    )


class ReservationFilterForm(forms.Form):
    q = forms.CharField(label=_("Terminal or reference"), required=False)
    frame = forms.CharField(label=_("Frame"), required=False)


class RenameForm(forms.Form):
    """A new code for a frame or a block; every designation under it follows."""

    code = forms.CharField(label=_("New code"), max_length=30)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reference = forms.CharField(label=_("Work order or fault"), max_length=60, required=False)
