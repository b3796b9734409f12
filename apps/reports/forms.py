from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import Department, Role, User

from .models import ReportSchedule
from .registry import kind_choices


class ScheduleForm(forms.ModelForm):
    """The schedule itself; the report's parameters come from the kind's own form (prefix ``p``)."""

    kind = forms.ChoiceField(label=pgettext_lazy("report kind", "Report"), choices=())
    recipient_users = forms.ModelMultipleChoiceField(
        label=_("Recipient users"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"data-tom-select": "1"}),
    )
    recipient_roles = forms.MultipleChoiceField(
        label=_("Recipient roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_departments = forms.ModelMultipleChoiceField(
        label=_("Recipient departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"data-tom-select": "1"}),
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "kind",
            "frequency",
            "time",
            "weekday",
            "day_of_month",
            "recipient_users",
            "recipient_roles",
            "recipient_departments",
            "recipient_addresses",
            "enabled",
        ]
        widgets = {
            "time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "recipient_addresses": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["kind"].widget.attrs.update(
            {
                "hx-target": "#schedule-parameters",
                "hx-select": "#schedule-parameters",
                "hx-swap": "outerHTML",
                "hx-include": "this",
            }
        )

    def clean_recipient_addresses(self):
        text = self.cleaned_data["recipient_addresses"]
        addresses = [a.strip() for a in text.replace(",", "\n").splitlines() if a.strip()]
        for line, address in enumerate(addresses, start=1):
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("Line %(line)s: “%(address)s” is not a mail address."),
                    params={"line": line, "address": address},
                ) from None
        return "\n".join(addresses)

    def clean(self):
        data = super().clean()
        if not (
            data.get("recipient_users")
            or data.get("recipient_roles")
            or data.get("recipient_departments")
            or data.get("recipient_addresses")
        ):
            raise ValidationError(
                _("Name at least one recipient: a user, a role, a department or an address.")
            )
        return data
