import datetime

from apps.accounts.models import Role
from apps.reports import services
from tests.factories import UserFactory


def admin_user(**kwargs):
    return UserFactory(roles=[Role.ADMINISTRATOR], **kwargs)


def schedule_create(*, actor=None, **fields):
    values = {
        "name": "每日审计记录",
        "kind": "audit",
        "parameters": {"period": "yesterday"},
        "frequency": "daily",
        "time": datetime.time(7, 30),
        "recipient_roles": [Role.ADMINISTRATOR],
    }
    values.update(fields)
    return services.report_schedule_create(actor=actor or admin_user(), **values)
