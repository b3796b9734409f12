from decimal import Decimal

import factory

from apps.accounts.models import Role
from apps.faults import services
from apps.faults.models import ChecklistItem, ChecklistTemplate
from tests.factories import UserFactory


def engineer(**kwargs):
    return UserFactory(roles=[Role.ENGINEER], **kwargs)


def chief(**kwargs):
    return UserFactory(roles=[Role.CHIEF_ENGINEER], **kwargs)


def requester(**kwargs):
    return UserFactory(roles=[Role.REQUESTER], **kwargs)


def report(actor=None, **kwargs):
    """Report a fault through the service, as a requester unless told otherwise."""
    values = {
        "item_kind": "extension",
        "item": "8123",
        "symptom": "无拨号音",
        "severity": "minor",
        "channel": "phone",
        "contact": "8101",
    }
    values.update(kwargs)
    return services.fault_report(actor=actor or requester(), **values)


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"机房巡检{n}")
    room = "1 号楼电话机房"


def room_checklist(**kwargs):
    """A checklist like the room's: equipment state, temperature 10–30 °C, humidity 30–70 %, a note."""
    template = ChecklistTemplateFactory(**kwargs)
    ChecklistItem.objects.create(template=template, position=1, label="交换机运行状态", kind="pass_fail")
    ChecklistItem.objects.create(
        template=template,
        position=2,
        label="温度",
        kind="number",
        unit="°C",
        min_value=Decimal("10"),
        max_value=Decimal("30"),
    )
    ChecklistItem.objects.create(
        template=template,
        position=3,
        label="湿度",
        kind="number",
        unit="%",
        min_value=Decimal("30"),
        max_value=Decimal("70"),
    )
    ChecklistItem.objects.create(template=template, position=4, label="备注", kind="text")
    return template


def answers(template, **overrides):
    """Normal answers for every item, with some replaced by label."""
    normal = {"pass_fail": "pass", "number": None, "text": ""}
    result = {}
    for item in template.items.all():
        value = normal[item.kind]
        if item.kind == "number":
            value = "22" if item.label == "温度" else "50"
        result[item.pk] = overrides.get(item.label, value)
    return result
