from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AdjustmentRecord, ChangeKind, FunctionChange

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class FunctionChangeForm(forms.ModelForm):
    """The content of a request; the service decides what saving it means for its state."""

    class Meta:
        model = FunctionChange
        fields = list(FunctionChange.CONTENT_FIELDS)
        widgets = {
            "planned_start": DATETIME_WIDGET,
            "planned_end": DATETIME_WIDGET,
            "current_value": forms.Textarea(attrs={"rows": 2}),
            "wanted_value": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "impact": forms.Textarea(attrs={"rows": 2}),
            "steps": forms.Textarea(attrs={"rows": 4}),
            "rollback_plan": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("planned_start", "planned_end"):
            self.fields[name].input_formats = DATETIME_FORMATS
        self.fields["target_extensions"].widget.attrs["placeholder"] = "8001, 8002"
        self.fields["target_pbx"].widget.attrs["placeholder"] = "PBX-1"

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end is before the planned start."))
        return data

    def _post_clean(self):
        # The service validates the whole request (and normalises the extensions); the
        # form only parses what was typed.
        pass


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Give the reason for the rejection."))
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImplementForm(forms.Form):
    implemented_at = forms.DateTimeField(
        label=_("Actually implemented at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    notes = forms.CharField(
        label=_("Implementation notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("implemented_at", timezone.localtime().replace(second=0, microsecond=0))


class AdjustmentRecordForm(forms.ModelForm):
    class Meta:
        model = AdjustmentRecord
        fields = [
            "kind",
            "what",
            "target_scope",
            "target_extensions",
            "target_pbx",
            "before_value",
            "after_value",
            "reason",
            "performed_at",
            "notes",
        ]
        widgets = {
            "performed_at": DATETIME_WIDGET,
            "before_value": forms.Textarea(attrs={"rows": 2}),
            "after_value": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["performed_at"].input_formats = DATETIME_FORMATS
        if not self.is_bound:
            self.initial.setdefault("performed_at", timezone.localtime().replace(second=0, microsecond=0))

    def _post_clean(self):
        pass


class FunctionChangeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *FunctionChange.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ChangeKind.choices]
    )


class AdjustmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ChangeKind.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All sources")), *AdjustmentRecord.Source.choices]
    )
    performed_by = forms.ModelChoiceField(
        label=_("Performed by"), required=False, queryset=None, empty_label=_("Everyone")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["performed_by"].queryset = (
            get_user_model()
            .objects.filter(adjustment_records__isnull=False)
            .distinct()
            .order_by("name", "username")
        )
