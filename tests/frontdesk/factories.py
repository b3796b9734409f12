"""Front-desk test data, made through the services so the rules apply as in production."""

import datetime
import itertools

from apps.accounts.models import Role
from apps.frontdesk import services
from apps.frontdesk.models import Call
from tests.factories import UserFactory

_numbers = itertools.count(1)


def admin_user():
    return UserFactory(username="fd-admin", name="郑管理员", roles=[Role.ADMINISTRATOR])


def front_desk_user(username="fd-desk", name="孙前台"):
    return UserFactory(username=username, name=name, roles=[Role.FRONT_DESK])


def shift_leader_user(username="fd-leader", name="周领班"):
    return UserFactory(username=username, name=name, roles=[Role.SHIFT_LEADER])


def floor_manager_user(username="fd-manager", name="吴经理"):
    return UserFactory(username=username, name=name, roles=[Role.FLOOR_MANAGER])


def make_line(**fields):
    values = {
        "number": f"0571-8800{next(_numbers):04d}",
        "name": "吧台电话",
        "place": "一楼吧台",
        "purpose": "客人订餐和联系供应商",
        "greeting": "您好，小羔羊火锅店，我可以为您做什么？",
        "allowed_roles": [Role.FRONT_DESK, Role.SHIFT_LEADER, Role.FLOOR_MANAGER],
        "work_start": datetime.time(0, 0),
        "work_end": datetime.time(23, 59),
        "callback_minutes": 30,
    }
    values.update(fields)
    return services.line_create(actor=admin_user(), **values)


def log_call(*, actor, line, **fields):
    values = {
        "rings": 2,
        "kind": Call.Kind.ORDER,
        "request": "今晚 6 人订位",
        "outcome": Call.Outcome.HANDLED,
        "caller_name": "张先生",
        "caller_number": "13800001111",
        "confirmed": True,
    }
    values.update(fields)
    return services.call_log(actor=actor, line=line, **values)
