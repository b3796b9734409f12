import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Absence, Call, FollowUp


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        return value


class CallForm(forms.Form):
    number = forms.CharField(label=_("Number called"), max_length=40)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Call.Outcome.choices, initial=Call.Outcome.CONVERSATION
    )
    talk_seconds = forms.IntegerField(label=_("Talk time (seconds)"), min_value=0, initial=0)
    started_at = forms.DateTimeField(label=_("Start time"), widget=DateTimeInput, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_started_at(self):
        return self.cleaned_data.get("started_at") or timezone.now()


class FollowUpForm(forms.Form):
    contact_person = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=60,
        required=False,
        help_text=_("Mobile 13800138000, or landline with area code 010-12345678 (extension: 转801)."),
    )
    content = forms.CharField(
        label=_("Follow-up content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Customer category"), choices=FollowUp.Category.choices)
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False, widget=DateInput)


class MarkFalseForm(forms.Form):
    note = forms.CharField(label=_("What the check found"), widget=forms.Textarea(attrs={"rows": 2}))


class AbsenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    day = forms.DateField(label=_("Date"), widget=DateInput)
    until = forms.DateField(label=_("Until (for several days)"), widget=DateInput, required=False)
    hours = forms.DecimalField(
        label=_("Hours away"), min_value=Decimal("0.5"), max_value=Decimal("24"), decimal_places=2, initial=2
    )
    customer = forms.CharField(label=_("Customer (for a field visit)"), max_length=200, required=False)
    purpose = forms.CharField(label=_("Purpose or reason"), widget=forms.Textarea(attrs={"rows": 2}))
    training = forms.ModelChoiceField(
        label=_("Training session (for a training absence)"), queryset=None, required=False
    )

    def __init__(self, *args, user, **kwargs):
        from .models import TrainingSession

        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = TrainingSession.objects.filter(
            attendance__rep=user, ends_at__gte=timezone.now()
        ).order_by("starts_at")


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=300)


class WorkRecordForm(forms.Form):
    content = forms.CharField(label=_("What I did today"), widget=forms.Textarea(attrs={"rows": 5}))


class WeeklyPlanForm(forms.Form):
    week = forms.DateField(label=_("Week starting (Monday)"), widget=DateInput)
    content = forms.CharField(label=_("Plan for the week"), widget=forms.Textarea(attrs={"rows": 6}))


class TrainingForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput)
    place = forms.CharField(label=_("Place"), max_length=200)
    reps = forms.ModelMultipleChoiceField(
        label=_("Who must attend"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reps"].queryset = reps


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Call-record file (.csv or .xlsx)"))


class RuleSetForm(forms.ModelForm):
    class Meta:
        from .models import RuleSet

        model = RuleSet
        fields = [
            "effective_from",
            "standard_calls",
            "standard_customers",
            "new_calls",
            "new_customers",
            "new_period_days",
            "min_talk_seconds",
            "fine_per_short",
            "fine_per_false",
            "work_hours",
            "end_of_work",
            "day_close",
            "note",
        ]
        widgets = {
            "effective_from": DateInput,
            "end_of_work": forms.TimeInput(attrs={"type": "time"}),
            "day_close": forms.TimeInput(attrs={"type": "time"}),
        }


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    is_working = forms.BooleanField(label=_("Working day"), required=False)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
