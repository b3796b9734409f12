import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department

from .models import OrderKind, OrderStatus, WorkOrder


class OrderFilter(django_filters.FilterSet):
    """One filter set for the lists, the Excel export and the API."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrderKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    building = django_filters.CharFilter(label=_("Building"), lookup_expr="iexact")
    wanted_from = django_filters.DateFilter(
        label=_("Wanted from"),
        field_name="wanted_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    wanted_to = django_filters.DateFilter(
        label=_("Wanted until"),
        field_name="wanted_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = WorkOrder
        fields = ["q", "kind", "status", "department", "building", "wanted_from", "wanted_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(extension__icontains=value)
            | Q(new_extension__icontains=value)
            | Q(person__icontains=value)
            | Q(room__icontains=value)
        )
