import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role

from .models import Call, Line, UseRequest


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class LineForm(forms.ModelForm):
    allowed_roles = forms.MultipleChoiceField(
        label=_("Roles that may answer"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("During working hours only these roles may answer the line."),
    )

    class Meta:
        model = Line
        fields = [
            "number",
            "name",
            "place",
            "purpose",
            "greeting",
            "allowed_roles",
            "work_start",
            "work_end",
            "callback_minutes",
            "is_active",
        ]
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_allowed_roles(self):
        return list(self.cleaned_data["allowed_roles"])


class CallForm(forms.Form):
    line = forms.ModelChoiceField(
        label=_("Line"), queryset=Line.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    # No default: the figures rely on the rings being counted, not assumed.
    rings = forms.IntegerField(
        label=_("Rings before answering"),
        min_value=1,
        max_value=30,
        error_messages={"required": _("Choose how many times it rang before you answered.")},
    )
    caller_name = forms.CharField(label=_("Caller name"), max_length=100, required=False)
    caller_number = forms.CharField(label=_("Caller number"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Call.Kind.choices, widget=forms.RadioSelect)
    request = forms.CharField(
        label=_("What the caller wants"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    confirmed = forms.BooleanField(label=_("Repeated back and confirmed"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Call.Outcome.choices, widget=forms.RadioSelect, initial="handled"
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        if len(lines) == 1 and not self.is_bound:
            self.initial["line"] = lines[0].pk


class CallbackDoneForm(forms.Form):
    note = forms.CharField(label=_("Result"), max_length=500, required=False)


class UseRequestForm(forms.ModelForm):
    class Meta:
        model = UseRequest
        fields = ["line", "reason", "wanted_at", "minutes"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 2}),
            "wanted_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = Line.objects.filter(is_active=True).order_by("number")
        self.fields["line"].empty_label = _("Office phone")
        self.fields["line"].label = _("Phone")
        if not self.is_bound:
            self.initial["wanted_at"] = timezone.localtime().replace(second=0, microsecond=0)


class UseDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    comment = forms.CharField(label=_("Comment"), max_length=200, required=False)


class FiguresForm(forms.Form):
    PERIODS = [("day", _("Day")), ("month", _("Month"))]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return datetime.date(year, month, 1)
        except ValueError as exc:
            raise ValidationError(_("Enter the month as YYYY-MM.")) from exc

    def period_value(self) -> tuple[str, datetime.date]:
        """Return ('day'|'month', the day or the first of the month); today when nothing is chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        period = data.get("period") or "day"
        today = timezone.localdate()
        if period == "month":
            return "month", (data.get("month") or today).replace(day=1)
        return "day", data.get("day") or today
