from django import forms
from django.utils.translation import gettext_lazy as _

from .function_changes import function_change_choices
from .models import OrderKind, OrderStatus, PlanStep, WorkOrder
from .selectors import engineers


class OrderForm(forms.ModelForm):
    class Meta:
        model = WorkOrder
        fields = [
            "kind",
            "person",
            "department",
            "contact_phone",
            "building",
            "floor",
            "room",
            "outlet",
            "extension",
            "assign_extension",
            "new_extension",
            "wanted_date",
            "function_change_request",
            "notes",
        ]
        widgets = {
            "wanted_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, editing: bool = False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["kind"].disabled = True
        if user is not None:
            current = self.instance.function_change_request if self.instance.pk else None
            field = self.fields["function_change_request"]
            self.fields["function_change_request"] = forms.TypedChoiceField(
                label=field.label,
                help_text=field.help_text,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *function_change_choices(user=user, current=current)],
            )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Engineer"), queryset=None)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = engineers()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(forms.Form):
    port = forms.CharField(
        label=_("PBX port"),
        required=False,
        max_length=40,
        help_text=_("For example PBX-1/1-02-05."),
        widget=forms.TextInput(attrs={"list": "free-ports"}),
    )
    extension = forms.CharField(label=_("Extension"), required=False, max_length=20)
    outlet = forms.CharField(
        label=_("Outlet"),
        required=False,
        max_length=50,
        help_text=_("For example A-1203-2."),
        widget=forms.TextInput(attrs={"list": "room-outlets"}),
    )
    notes = forms.CharField(label=_("Plan notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", "—"), *PlanStep.Action.choices], required=False
    )
    terminal_a = forms.CharField(label=_("Terminal A"), required=False, max_length=40)
    terminal_b = forms.CharField(label=_("Terminal B"), required=False, max_length=40)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


StepFormSet = forms.formset_factory(StepForm, extra=0, max_num=40)

__all__ = ["OrderKind", "OrderStatus"]
