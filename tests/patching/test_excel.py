import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
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
# With the floor frame's outlet side: the floor outlet terminal and the horizontal pair.
FULL_HEADER = HEADER + ["楼层出线端子", "水平线对"]


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


def _full(n, fo=None, hp=None, **overrides):
    """A good row with the outlet-side columns: IDF-A01/H01/n and H-A01/n, as the plant has them."""
    return _good(n, **overrides) + [
        f"IDF-A01/H01/{n:02d}" if fo is None else fo,
        f"H-A01/{n:02d}" if hp is None else hp,
    ]


def _empty_patch_table():
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


def _traces(numbers, outlets):
    return {
        **{n: selectors.extension_trace(text=n).as_dict() for n in numbers},
        **{o: selectors.extension_trace(text=o).as_dict() for o in outlets},
    }


def test_export_then_import_into_an_empty_table_gives_the_same_table_and_paths(plant, tmp_path):
    for n in range(1, 6):
        plant.add_phone(n)
    services.extension_update(extension="8001", notes="=HYPERLINK(x)", actor=plant.actor)
    # Not patched on the floor frame yet: the path stops at IDF-A01/V01/06.
    services.extension_assign(number="8006", port="PBX-1/1-02-06", outlet="A-1203-6", actor=plant.actor)
    services.jumper_connect(
        terminal_a="MDF-1/H01/06", terminal_b="MDF-1/V01/06", actor=plant.actor, reason="装机"
    )
    # Not patched on the main frame: the row names only its outlet's horizontal wiring.
    services.extension_assign(number="8007", port="PBX-1/1-02-07", outlet="A-1203-7", actor=plant.actor)
    # Patched all the way to A-1203-8, but recorded at no outlet (A-1203-8 is a spare row).
    services.extension_assign(number="8008", port="PBX-1/1-02-08", actor=plant.actor)
    services.jumper_connect(
        terminal_a="MDF-1/H01/08", terminal_b="MDF-1/V01/08", actor=plant.actor, reason="装机"
    )
    services.jumper_connect(
        terminal_a="IDF-A01/V01/08", terminal_b="IDF-A01/H01/08", actor=plant.actor, reason="装机"
    )
    # A line-side pair cabled straight to an outlet (no floor frame): to 8009's outlet, and a spare one.
    v02 = services.block_create(frame=plant.v01.frame, code="V02", side=Block.Side.LINE, size=2)
    direct = services.cable_create(code="D-01", pair_count=2, kind=Cable.Kind.HORIZONTAL)
    outlets = [services.outlet_get_or_create(designation=f"A-1203-{n}") for n in (31, 32)]
    services.cable_pairs_wire(cable=direct, first_pair=1, last_pair=2, near_block=v02, outlets=outlets)
    services.extension_assign(number="8009", port="PBX-1/1-02-09", outlet="A-1203-31", actor=plant.actor)
    services.jumper_connect(
        terminal_a="MDF-1/H01/09", terminal_b="MDF-1/V02/01", actor=plant.actor, reason="装机"
    )
    first = tmp_path / "a.xlsx"
    table_export(first)
    values = list(load_workbook(first).active.values)
    assert list(values[0]) == FULL_HEADER
    by_ext = {v[0]: dict(zip(FULL_HEADER, v, strict=True)) for v in values[1:]}
    assert by_ext["8001"]["备注"] == "'=HYPERLINK(x)"
    assert (by_ext["8001"]["楼层出线端子"], by_ext["8001"]["水平线对"]) == ("IDF-A01/H01/01", "H-A01/01")
    assert (by_ext["8006"]["楼层出线端子"], by_ext["8006"]["水平线对"]) == (None, None)
    assert (by_ext["8007"]["楼层出线端子"], by_ext["8007"]["水平线对"]) == ("IDF-A01/H01/07", "H-A01/07")
    assert (by_ext["8008"]["楼层出线端子"], by_ext["8008"]["水平线对"]) == ("IDF-A01/H01/08", "H-A01/08")
    assert (by_ext["8009"]["主干线对"], by_ext["8009"]["楼层出线端子"], by_ext["8009"]["水平线对"]) == (
        "D-01/01",
        None,
        "D-01/01",
    )
    numbers = list(Extension.objects.values_list("number", flat=True))
    spare = list(Outlet.objects.filter(extensions__isnull=True).values_list("designation", flat=True))
    rows_before = list(selectors.distribution_table())
    traces_before = _traces(numbers, spare)
    assert sorted(k for k, t in traces_before.items() if t["complete"]) == [
        "8001", "8002", "8003", "8004", "8005", "8008", "8009", "A-1203-8"
    ]  # fmt: skip

    _empty_patch_table()
    result = table_import(str(first), actor=plant.actor)
    assert result.errors == []

    def strip(rows):
        return [{k: r[k] for k, _zh, _en in selectors.EXCEL_COLUMNS} for r in rows]

    assert strip(selectors.distribution_table()) == strip(rows_before)
    assert _traces(numbers, spare) == traces_before
    second = tmp_path / "b.xlsx"
    table_export(second)
    assert list(load_workbook(first).active.values) == list(load_workbook(second).active.values)
    assert dict(Frame.objects.values_list("code", "kind")) == {"MDF-1": "main", "IDF-A01": "floor"}


def test_the_table_now_and_as_it_stands_now_name_the_same_outlet_side(plant):
    plant.add_phones(3)
    services.jumper_disconnect(terminal="IDF-A01/V01/02", actor=plant.actor, reason="移机")
    keys = ("extension", "outlet", "floor_terminal", "floor_outlet_terminal", "horizontal_pair")

    def pick(rows):
        return [tuple(r[k] for k in keys) for r in rows]

    now = list(selectors.distribution_table())
    assert pick(now)[:4] == [
        ("8001", "A-1203-1", "IDF-A01/V01/01", "IDF-A01/H01/01", "H-A01/01"),
        ("8002", "A-1203-2", "IDF-A01/V01/02", "", ""),
        ("8003", "A-1203-3", "IDF-A01/V01/03", "IDF-A01/H01/03", "H-A01/03"),
        ("", "A-1203-10", "", "IDF-A01/H01/10", "H-A01/10"),
    ]
    later = timezone.now() + datetime.timedelta(seconds=1)
    assert pick(selectors.distribution_table(at=later)) == pick(now)
    page, _total = selectors.distribution_table_page(per_page=10)
    assert pick(page) == pick(now)[:10]


def test_a_file_with_the_outlet_side_wires_the_floor_frame_as_it_says(plant):
    _empty_patch_table()
    rows = [_full(1), _full(2, fo="", hp=""), _good(3, ext="", port="", eq="", line="", pair="", floor_t="")]
    rows[2] += ["IDF-A01/H01/03", "H-A01/03"]
    result = table_import(_xlsx(rows, header=FULL_HEADER), actor=plant.actor)
    assert result.errors == []
    assert selectors.extension_trace(text="8101").complete
    # No floor outlet terminal: no floor jumper, even though the row names a floor terminal.
    assert not JumperEnd.objects.filter(terminal__designation="IDF-A01/V01/02").exists()
    assert "IDF-A01/V01/02" in selectors.extension_trace(text="8102").stop
    # A spare outlet's horizontal wiring, with no jumper.
    pair = CablePair.objects.get(designation="H-A01/03")
    assert (pair.near_terminal.designation, pair.outlet.designation) == ("IDF-A01/H01/03", "A-1203-3")
    assert Cable.objects.get(code="H-A01").kind == Cable.Kind.HORIZONTAL
    assert Jumper.objects.count() == 3
    assert Frame.objects.get(code="IDF-A01").kind == Frame.Kind.FLOOR


def test_outlet_side_columns_agree_with_a_table_that_already_has_its_cabling(plant):
    result = table_import(_xlsx([_full(1), _full(2)], header=FULL_HEADER), actor=plant.actor)
    assert result.errors == []
    assert [selectors.extension_trace(text=n).complete for n in ("8101", "8102")] == [True, True]
    assert CablePair.objects.count() == 60  # nothing new: the plant's riser and horizontal pairs


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_full(1, fo="IDF-A01//05")], "楼层出线端子：“IDF-A01//05”不是端子"),
        ([_full(1, hp="H-A01")], "水平线对：“H-A01”不是线对"),
        ([_full(1, fo="IDF-A01/H01/09", hp="")], "端子 IDF-A01/H01/09 已与 IDF-A01/V01/09 跳接"),
        ([_full(1, floor_t="IDF-A01/V01/09", fo="IDF-A01/H01/20", hp="")], "端子 IDF-A01/V01/09 已与"),
        ([_full(1, fo="IDF-B01/H01/01", hp="")], "IDF-A01/V01/01 与 IDF-B01/H01/01 不在同一配线架"),
        ([_full(1, fo="MDF-1/H01/20", hp="")], "端子 MDF-1/H01/20 不在线路侧"),
        ([_full(1, fo="IDF-A01/V01/01", hp="")], "不能同时作为楼层配线架端子和楼层出线端子"),
        ([_full(1, hp="R-01/01")], "线对 R-01/01 不能同时作为主干线对和水平线对"),
        ([_full(1), _full(2, hp="R-01/01")], "线对 R-01/01 与第 2 行重复"),
        ([_full(1, hp="H-A01/09")], "线对 H-A01/09 已连接 IDF-A01/H01/09 – A-1203-9"),
        ([_full(1, fo="IDF-A01/H01/21", hp="H-A02/01")], "A-1203-1 已连接线对 H-A01/01"),
        ([_full(1, fo="IDF-A01/H01/01", hp="H-A02/01")], "IDF-A01/H01/01 已连接线对 H-A01/01"),
        ([_full(1), _full(2, fo="IDF-A01/H01/01", hp="")], "端子 IDF-A01/H01/01 与第 2 行重复"),
        (
            [_full(1), _full(2, line="IDF-A01/H01/01", eq="IDF-A01/H01/02")],
            "端子 IDF-A01/H01/01 与第 2 行重复",
        ),
        (
            [_full(1), _full(2, hp="H-A01/01")],
            "线对 H-A01/01 与第 2 行冲突：该行连接 IDF-A01/H01/01 – A-1203-1",
        ),
        ([_full(1), _full(2, outlet="A-1203-1")], "A-1203-1 与第 2 行冲突：该行连接线对 H-A01/01"),
    ],
    ids=[
        "malformed-terminal",
        "malformed-pair",
        "outlet-terminal-used",
        "floor-terminal-used",
        "different-frames",
        "equipment-side",
        "same-terminal-twice",
        "riser-and-horizontal",
        "riser-in-another-row",
        "pair-wired-elsewhere",
        "outlet-has-another-pair",
        "terminal-has-another-pair",
        "jumper-conflict-in-file",
        "terminal-role-conflict-in-file",
        "pair-conflict-in-file",
        "outlet-conflict-in-file",
    ],
)
def test_every_bad_outlet_side_row_is_listed_and_nothing_changes(plant, rows, message):
    plant.add_phone(9)
    before = _snapshot() + (CablePair.objects.count(), Terminal.objects.count())
    for dry_run in (True, False):
        result = table_import(_xlsx(rows, header=FULL_HEADER), actor=plant.actor, dry_run=dry_run)
        assert any(message in m for _row, m in result.errors), result.errors
        assert all(row >= 2 for row, _m in result.errors)
        assert not result.applied
        assert _snapshot() + (CablePair.objects.count(), Terminal.objects.count()) == before


def test_english_outlet_side_headers_are_accepted(plant):
    header = [en for _k, _zh, en in selectors.EXCEL_COLUMNS]
    _empty_patch_table()
    assert table_import(_xlsx([_full(3)], header=header), actor=plant.actor).applied
    assert selectors.extension_trace(text="8103").complete


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
