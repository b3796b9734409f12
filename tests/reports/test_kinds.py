"""Each kind's workbook, checked cell by cell on a small dataset."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.accounts.services import department_get_or_create, user_create
from apps.reports.registry import kind_get
from apps.reports.services import report_build

pytestmark = pytest.mark.django_db


def _build(code, params, today=None):
    out = io.BytesIO()
    rows = report_build(kind=kind_get(code), parameters=params, target=out, today=today)
    return rows, load_workbook(io.BytesIO(out.getvalue()))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_users_report_lists_every_active_user_with_roles_cell_by_cell():
    eng = department_get_or_create(code="eng", name="工程部")
    chief = user_create(username="chief", name="李总工", roles=[Role.CHIEF_ENGINEER], department=eng)
    user_create(
        username="wang",
        name="王工",
        email="wang@example.com",
        roles=[Role.ENGINEER],
        department=eng,
        extension="8001",
        hire_date=datetime.date(2025, 3, 1),
        supervisor=chief,
    )
    gone = user_create(username="zz", name="离职员工", roles=[Role.ENGINEER])
    gone.is_active = False
    gone.save()

    rows, book = _build("users", {"department": eng.pk})

    assert book.sheetnames == ["概览", "用户", "角色"]
    users = book["用户"]
    assert _values(users)[0] == [
        "用户名",
        "姓名",
        "部门",
        "角色",
        "分机号",
        "邮箱",
        "入职日期",
        "主管",
        "在用",
        "最近登录",
    ]
    assert _values(users)[1] == ["chief", "李总工", "工程部", "总工", None, None, None, None, "是", None]
    assert _values(users)[2] == [
        "wang",
        "王工",
        "工程部",
        "机房工程师",
        "8001",
        "wang@example.com",
        datetime.datetime(2025, 3, 1),  # noqa: DTZ001 - Excel dates are naive
        "李总工",
        "是",
        None,
    ]
    assert users.max_row == 3  # the disabled user and other departments are left out
    assert users.freeze_panes == "A2"
    assert users["G3"].number_format == "yyyy-mm-dd"

    roles = _values(book["角色"])
    assert roles[0] == ["角色", "人数"]
    assert ["机房工程师", 1] in roles
    assert ["总工", 1] in roles
    assert roles[-1] == ["合计", 2]

    summary = _values(book["概览"])
    assert summary[0] == ["项目", "内容"]
    assert summary[1] == ["报表", "用户与角色"]
    assert summary[2] == ["部门", "工程部"]
    assert summary[3][0] == "生成时间"
    assert isinstance(summary[3][1], datetime.datetime)
    assert summary[4:] == [["在用用户", 2], ["已停用用户", 0], ["“用户”行数", 2], ["“角色”行数", 9]]
    assert rows == 2 + 9


def test_audit_report_shows_the_changes_of_the_period_cell_by_cell():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 15, tzinfo=datetime.UTC), tick=False):
        department_get_or_create(code="sales", name="销售部")
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        department_get_or_create(code="it", name="信息技术部")  # the next day: outside the period

    rows, book = _build("audit", {"period": "yesterday"}, today=datetime.date(2026, 3, 3))

    assert book.sheetnames == ["概览", "变更记录", "按对象类型"]
    changes = _values(book["变更记录"])
    assert changes[0] == ["时间", "操作人", "对象类型", "对象", "操作", "变更内容", "来源地址"]
    assert len(changes) == 2
    time, actor, record_type, record, action, values, address = changes[1]
    assert time == datetime.datetime(2026, 3, 2, 18, 15)  # noqa: DTZ001 - Beijing time, naive in Excel
    assert (actor, record, action, address) == ("系统", "销售部", "新建", None)
    assert "name: None → 销售部" in values
    assert _values(book["按对象类型"])[1][1] == 1
    assert _values(book["按对象类型"])[-1] == ["合计", 1]
    summary = _values(book["概览"])
    assert summary[2] == ["期间", "昨天"]
    assert ["日期范围", "2026-03-02"] in summary
    assert ["新建", 1] in summary
    assert ["修改", 0] in summary
    assert rows == 2


def test_text_that_looks_like_a_formula_is_neutralised():
    dept = department_get_or_create(code="evil", name="@SUM(A1:A9)")
    boss = user_create(username="boss", name="-2+3")
    user_create(
        username="evil",
        name='=HYPERLINK("http://x","点我")',
        extension="+8001",
        department=dept,
        supervisor=boss,
    )
    _rows, book = _build("users", {})
    row = next(r for r in _values(book["用户"]) if r[0] == "evil")
    assert row[1] == '\'=HYPERLINK("http://x","点我")'
    assert row[4] == "'+8001"
    assert row[2] == "'@SUM(A1:A9)"
    assert row[7] == "'-2+3"
