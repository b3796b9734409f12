"""The registry of report kinds.

A kind is one function that writes a workbook, plus what the report centre needs to
offer it: a label, a parameters form, and who may run it and download its files.
Kinds live in ``apps/reports/kinds/<app>.py`` and read only the owning app's selectors;
the report centre, schedules and delivery need no change when a kind is added.

    @register_kind(
        code="users",
        label=_("Users and roles"),
        form=PeriodForm,
        run_permissions=("accounts.view_user",),
    )
    def users_report(report: ReportWriter, params: dict) -> None:
        sheet = report.detail(_("Users"), [Column(_("User name"), 16), ...])
        for user in user_list(): sheet.append([...])
        report.summary_row(_("Active users"), count)
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from .writer import ReportWriter


class EmptyForm(forms.Form):
    """The parameters form of a kind that takes none."""


@dataclass(frozen=True)
class ReportKind:
    code: str
    label: str
    build: Callable[[ReportWriter, dict], None]
    form: type[forms.Form] = EmptyForm
    description: str = ""
    run_permissions: tuple[str, ...] = ()
    download_permissions: tuple[str, ...] = ()
    app: str = ""
    order: int = 100
    filename: str = ""
    extra: dict = field(default_factory=dict)

    def _allowed(self, user, permissions: tuple[str, ...]) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return bool(permissions) and all(user.has_perm(p) for p in permissions)

    def can_run(self, user) -> bool:
        return self._allowed(user, self.run_permissions)

    def can_download(self, user) -> bool:
        """Download needs the download permissions (the run permissions when none are declared)."""
        return self._allowed(user, self.download_permissions or self.run_permissions)

    def parameters_form(self, data=None, *, initial=None, prefix=None) -> forms.Form:
        return self.form(data=data, initial=initial, prefix=prefix)

    def describe(self, params: dict) -> list[tuple[str, str]]:
        """Return the parameters as (label, value) pairs a person can read."""
        form = self.form()
        pairs = []
        for name, form_field in form.fields.items():
            value = params.get(name)
            if value in (None, "", [], False):
                continue
            if isinstance(form_field, forms.ModelMultipleChoiceField):
                shown = "、".join(str(o) for o in form_field.queryset.filter(pk__in=value))
            elif isinstance(form_field, forms.ModelChoiceField):
                shown = str(form_field.queryset.filter(pk=value).first() or value)
            elif isinstance(form_field, forms.BooleanField):
                shown = str(_("Yes"))
            else:
                choices = {str(k): v for k, v in getattr(form_field, "choices", []) or []}
                values = value if isinstance(value, list) else [value]
                shown = "、".join(str(choices.get(str(v), v)) for v in values)
            pairs.append((str(form_field.label or name), shown))
        return pairs

    def describe_text(self, params: dict) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.describe(params))


_kinds: dict[str, ReportKind] = {}


def register_kind(*, code: str, label, **options) -> Callable:
    """Register the decorated function as the report kind ``code``."""

    def decorator(build):
        if code in _kinds and _kinds[code].build is not build:
            raise ValueError(f"report kind {code!r} is registered twice")
        _kinds[code] = ReportKind(code=code, label=label, build=build, **options)
        return build

    return decorator


def kind_get(code: str) -> ReportKind | None:
    return _kinds.get(code)


def kind_list() -> list[ReportKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, str(k.label)))


def kinds_runnable_by(user) -> list[ReportKind]:
    return [k for k in kind_list() if k.can_run(user)]


def kinds_downloadable_by(user) -> list[ReportKind]:
    return [k for k in kind_list() if k.can_download(user)]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in kind_list()]


def parameters_to_json(cleaned_data: dict) -> dict:
    """Turn a parameters form's cleaned data into JSON a run or schedule can store."""

    def convert(value):
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, Model):
            return value.pk
        if (
            isinstance(value, list | tuple)
            or hasattr(value, "__iter__")
            and not isinstance(value, str | dict)
        ):
            return [convert(v) for v in value]
        return value

    # Empty and false values are left out, so an unticked box and a missing one give the same key.
    return {
        name: convert(value)
        for name, value in cleaned_data.items()
        if not (
            value is None or value is False or value == "" or (hasattr(value, "__len__") and not len(value))
        )
    }


UNKNOWN_KIND = _("(report no longer available)")
