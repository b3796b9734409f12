import datetime

from apps.accounts.models import Role
from tests.factories import UserFactory

LONG_AGO = datetime.date(2020, 1, 1)


def make_supervisor(username="chen", **kwargs):
    return UserFactory(username=username, name="陈主管", roles=[Role.SALES_SUPERVISOR], **kwargs)


def make_rep(username="liu", supervisor=None, hire_date=LONG_AGO, extension="", **kwargs):
    return UserFactory(
        username=username,
        roles=[Role.SALES_REP],
        supervisor=supervisor,
        hire_date=hire_date,
        extension=extension,
        **kwargs,
    )
