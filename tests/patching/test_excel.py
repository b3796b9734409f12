import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from apps.core.excel import SpreadsheetError
from apps.patching import selectors, services
from apps.patching.excel_io import table_export, table_import
from apps.patching.models import (
    Block,
    Building,
    Cable,
    CablePair,
    Extension,
    Floor,
    Frame,
    Jumper,
    JumperEnd,
    Outlet,
    PatchEvent,
    Pbx,
    PbxPort,
    Room,
    Terminal,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "分机号",
    "用户",
    "部门",
    "楼栋",
    "楼层",
    "房间",
    "信息点",
    "交换机端口",
    "设备侧端子",
    "线路侧端子",
    "主干线对",
    "楼层配线架端子",
    "备注",
]


def _xlsx(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    f = io.BytesIO()
    book.save(f)
    f.seek(0)
    f.name = "table.xlsx"
    return f


def _snapshot():
    return (
        Extension.objects.count(),
        Jumper.objects.count(),
        PatchEvent.objects.count(),
        Outlet.objects.count(),
    )


def _good(n, **overrides):
    row = dict(
        ext=f"81{n:02d}",
        user="周九",
        dept="信息技术部",
        building="A",
        floor=12,
        room="1203",
        outlet=f"A-1203-{n}",
        port=f"PBX-1/1-02-{n:02d}",
        eq=f"MDF-1/H01/{n:02d}",
        line=f"MDF-1/V01/{n:02d}",
        pair=f"R-01/{n:02d}",
        floor_t=f"IDF-A01/V01/{n:02d}",
        notes="",
    )
    row.update(overrides)
    return list(row.values())


def test_a_good_file_imports_in_one_go_with_history(plant):
    result = table_import(_xlsx([_good(1), _good(2)]), actor=plant.actor)
    assert result.errors == []
    assert result.applied
    assert Extension.objects.count() == 2
    assert Jumper.objects.count() == 4  # main frame and floor frame for each
    assert selectors.extension_trace(text="8101").complete
    assert PatchEvent.objects.filter(reason="Excel 导入", action="connect").count() == 4


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_good(1, eq="MDF-1//01")], "设备侧端子：“MDF-1//01”不是端子"),
        ([_good(1, line="MDF-1/V01/09")], "端子 MDF-1/V01/09 已与 MDF-1/H01/09 跳接"),
        ([_good(1, ext="8009")], "分机号 8009 已存在"),
        ([_good(1), _good(2, ext="8101")], "分机号 8101 与第 2 行重复"),
        ([_good(1), _good(2, line="MDF-1/V01/01")], "端子 MDF-1/V01/01 与第 2 行重复"),
        ([_good(1, ext="", outlet="")], "缺少必填单元格"),
        ([_good(1, port="")], "缺少必填单元格：交换机端口"),
        ([_good(1, dept="不存在的部门")], "部门“不存在的部门”不存在"),
    ],
    ids=[
        "malformed",
        "terminal-used",
        "duplicate-extension",
        "duplicate-in-file",
        "conflict-in-file",
        "missing-cell",
        "missing-port",
        "unknown-department",
    ],
)
def test_every_bad_row_is_listed_and_nothing_changes(plant, rows, message):
    plant.add_phone(9)
    before = _snapshot()
    for dry_run in (True, False):
        result = table_import(_xlsx(rows), actor=plant.actor, dry_run=dry_run)
        assert any(message in m for _row, m in result.errors), result.errors
        assert all(row >= 2 for row, _m in result.errors)
        assert not result.applied
        assert _snapshot() == before


def test_the_dry_run_changes_nothing_even_for_a_good_file(plant):
    before = _snapshot()
    result = table_import(_xlsx([_good(1)]), actor=plant.actor, dry_run=True)
    assert result.ok
    assert _snapshot() == before


def test_files_that_are_not_workbooks_get_a_clear_message(plant):
    f = io.BytesIO(b"not a workbook")
    f.name = "x.xlsx"
    with pytest.raises(SpreadsheetError, match="xlsx"):
        table_import(f, actor=plant.actor)


def test_english_headers_are_accepted(plant):
    header = [en for _k, _zh, en in selectors.COLUMNS]
    assert table_import(_xlsx([_good(3)], header=header), actor=plant.actor).applied


def test_export_then_import_into_an_empty_table_gives_the_same_table(plant, tmp_path):
    for n in range(1, 6):
        plant.add_phone(n)
    services.extension_update(extension="8001", notes="=HYPERLINK(x)", actor=plant.actor)
    first = tmp_path / "a.xlsx"
    table_export(first)
    cells = [c.value for c in next(load_workbook(first).active.iter_rows(min_row=2, max_row=2))]
    assert cells[-1] == "'=HYPERLINK(x)"
    rows_before = list(selectors.distribution_table())

    for model in (
        JumperEnd,
        Jumper,
        PatchEvent,
        Extension,
        PbxPort,
        CablePair,
        Outlet,
        Terminal,
        Block,
        Cable,
        Pbx,
        Frame,
        Room,
        Floor,
        Building,
    ):
        model.objects.all()._raw_delete(model.objects.db)
    result = table_import(str(first), actor=plant.actor)
    assert result.errors == []

    def strip(rows):
        return [{k: r[k] for k, _zh, _en in selectors.COLUMNS} for r in rows]

    assert strip(selectors.distribution_table()) == strip(rows_before)
    second = tmp_path / "b.xlsx"
    table_export(second)
    assert list(load_workbook(first).active.values) == list(load_workbook(second).active.values)


def test_upload_page_dry_run_and_import(eng_client, plant):
    response = eng_client.post(
        reverse("patching:import"), {"file": _xlsx([_good(1, ext="")]), "dry_run": "on"}
    )
    assert "全部 1 行均无问题" in response.content.decode()
    response = eng_client.post(reverse("patching:import"), {"file": _xlsx([_good(1, eq="bad")])})
    body = response.content.decode()
    assert "未导入任何内容" in body
    response = eng_client.post(reverse("patching:import"), {"file": io.BytesIO(b"plain text")})
    assert "xlsx" in response.content.decode()


def test_download_respects_the_filters(eng_client, plant):
    plant.add_phone(1)
    plant.add_phone(2, user_name="吴十")
    response = eng_client.get(reverse("patching:export"), {"q": "吴十"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book.active.values)
    assert values[0][0] == "分机号"
    assert [v[0] for v in values[1:]] == ["8002"]


def test_an_import_tells_the_subscribed_departments_once(plant):
    from apps.core.models import Notification
    from tests.factories import UserFactory

    member = UserFactory(department=plant.department)
    services.subscription_add(department=plant.department, actor=plant.actor)
    table_import(_xlsx([_good(1), _good(2)]), actor=plant.actor)
    assert list(Notification.objects.filter(recipient=member).values_list("title", flat=True)) == [
        "Excel 导入新增电话：2 部"
    ]
