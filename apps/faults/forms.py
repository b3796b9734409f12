from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Role, User

from .models import Cause, ChecklistItem, ChecklistTemplate, Document, Fault, ItemKind, Severity


class FaultReportForm(forms.Form):
    item_kind = forms.ChoiceField(
        label=_("Affected item"), choices=ItemKind.choices, initial=ItemKind.EXTENSION
    )
    item = forms.CharField(
        label=_("Extension number or designation"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 8123 or MDF-1/H03/17"), "autofocus": True}),
    )
    symptom = forms.CharField(
        label=_("Symptom"),
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. no dial tone, noise on the line")}),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MINOR,
        widget=forms.RadioSelect,
        help_text=_("Critical: many users or a trunk down."),
    )
    channel = forms.ChoiceField(
        label=pgettext_lazy("channel", "Reported by"), choices=Fault._meta.get_field("channel").choices
    )
    contact = forms.CharField(
        label=pgettext_lazy("contact details", "Contact"), max_length=100, required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    performed_at = forms.DateTimeField(
        label=_("Done at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    jumpers_changed = forms.BooleanField(label=_("Jumpers changed"), required=False)
    patch_reference = forms.CharField(
        label=_("Patch table reference"),
        max_length=100,
        required=False,
        help_text=_("Empty: the fault number is used as the reference."),
    )


class RestoreForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class CloseForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", "---------"), *Cause.choices])
    resolution = forms.CharField(
        label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class TargetForm(forms.Form):
    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row['severity']}_respond"] = forms.IntegerField(
                label=_("%(severity)s: response (minutes)") % {"severity": row["label"]},
                min_value=1,
                initial=row["respond"],
            )
            self.fields[f"{row['severity']}_restore"] = forms.IntegerField(
                label=_("%(severity)s: restore (minutes)") % {"severity": row["label"]},
                min_value=1,
                initial=row["restore"],
            )


class InspectionForm(forms.Form):
    """One field per checklist item, built from the template."""

    def __init__(self, *args, items: list[ChecklistItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = f"item_{item.pk}"
            if item.kind == ChecklistItem.Kind.PASS_FAIL:
                self.fields[name] = forms.ChoiceField(
                    label=item.label,
                    choices=[("pass", _("Normal")), ("fail", _("Abnormal"))],
                    widget=forms.RadioSelect,
                )
            elif item.kind == ChecklistItem.Kind.NUMBER:
                self.fields[name] = forms.DecimalField(
                    label=f"{item.label} ({item.unit})" if item.unit else item.label,
                    max_digits=8,
                    decimal_places=2,
                    help_text=_("Normal: %(limits)s") % {"limits": item.limits_display()},
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
                )
            else:
                self.fields[name] = forms.CharField(label=item.label, required=False, max_length=500)
        self.fields["notes"] = forms.CharField(
            label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def answers(self) -> dict:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") for item in self.items}


def _staff_choices():
    return (
        User.objects.filter(groups__name__in=[Role.ENGINEER, Role.CHIEF_ENGINEER], is_active=True)
        .distinct()
        .order_by("name", "username")
    )


class AccessEntryForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Choose a colleague with an account, or type a visitor's name below."),
    )
    person_name = forms.CharField(label=_("Visitor's name"), max_length=100, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    escort = forms.ModelChoiceField(label=_("Escorted by"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(is_active=True).order_by("name", "username")
        self.fields["escort"].queryset = _staff_choices()


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Document.Category.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class DocumentVersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class ChecklistTemplateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("name of a thing", "Name"), max_length=100)
    room = forms.CharField(label=pgettext_lazy("telephone room", "Room"), max_length=100, initial="电话机房")
    frequency = forms.ChoiceField(label=_("Schedule"), choices=ChecklistTemplate.Frequency.choices)
    active = forms.BooleanField(label=pgettext_lazy("active", "In use"), required=False, initial=True)


class ChecklistItemForm(forms.Form):
    label = forms.CharField(label=_("Item"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChecklistItem.Kind.choices)
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    min_value = forms.DecimalField(
        label=_("Lowest normal value"), max_digits=8, decimal_places=2, required=False
    )
    max_value = forms.DecimalField(
        label=_("Highest normal value"), max_digits=8, decimal_places=2, required=False
    )
