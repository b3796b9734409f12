import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.patching import services
from apps.patching.models import Jumper
from tests.factories import UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db


def test_the_table_shows_each_extension_with_its_path(eng_client, plant):
    plant.add_phone(7, user_name="孙七")
    body = eng_client.get(reverse("patching:table")).content.decode()
    assert "配线表" in body
    assert "孙七" in body
    for text in (
        "8007",
        "PBX-1/1-02-07",
        "MDF-1/H01/07",
        "MDF-1/V01/07",
        "R-01/07",
        "IDF-A01/V01/07",
        "A-1203-7",
    ):
        assert text in body
    assert "空闲" in body  # spare outlets


def test_the_table_filters_and_searches(eng_client, plant):
    plant.add_phone(1, user_name="甲")
    plant.add_phone(2, user_name="乙")
    body = eng_client.get(reverse("patching:table"), {"q": "MDF-1/V01/02"}).content.decode()
    assert "乙" in body
    assert "甲" not in body
    body = eng_client.get(
        reverse("patching:table"), {"status": "extension", "building": "B"}
    ).content.decode()
    assert "没有符合条件的行" in body


def test_table_page_queries_do_not_grow_with_rows(eng_client, plant):
    assert_same_queries(eng_client, reverse("patching:table") + "?status=extension", plant.add_phones)


def test_table_page_queries_do_not_grow_with_rows_at_any_page_size(eng_client, plant):
    assert_same_queries(eng_client, reverse("patching:table") + "?per_page=200", plant.add_phones)


def test_history_page_queries_do_not_grow(eng_client, plant):
    assert_same_queries(eng_client, reverse("patching:history"), plant.add_phones)


def test_jumpers_page_queries_do_not_grow(eng_client, plant):
    assert_same_queries(eng_client, reverse("patching:jumpers"), plant.add_phones)


def test_checks_page_queries_do_not_grow(eng_client, plant):
    assert_same_queries(eng_client, reverse("patching:checks"), plant.add_phones)


def test_subscriptions_page_queries_do_not_grow(eng_client, plant):
    from tests.factories import DepartmentFactory

    def add(n):
        for _ in range(n):
            services.subscription_add(department=DepartmentFactory(), actor=plant.actor)

    assert_same_queries(eng_client, reverse("patching:subscriptions"), add)


def test_an_engineer_connects_and_sees_the_conflict_in_chinese(eng_client, plant):
    url = reverse("patching:jumpers")
    response = eng_client.post(
        url,
        {
            "action": "connect",
            "connect-terminal_a": "mdf-1/h01/03",
            "connect-terminal_b": "MDF-1/V01/03",
            "connect-reason": "装机",
        },
        follow=True,
    )
    assert "已跳接 MDF-1/H01/03 与 MDF-1/V01/03" in response.content.decode()
    response = eng_client.post(
        url,
        {
            "action": "connect",
            "connect-terminal_a": "MDF-1/H01/03",
            "connect-terminal_b": "MDF-1/V01/04",
            "connect-reason": "装机",
        },
    )
    assert "MDF-1/H01/03 已与 MDF-1/V01/03 跳接" in response.content.decode()
    response = eng_client.post(
        url, {"action": "disconnect", "disconnect-terminal": "MDF-1/V01/03", "disconnect-reason": ""}
    )
    assert Jumper.objects.count() == 1
    response = eng_client.post(
        url,
        {"action": "disconnect", "disconnect-terminal": "MDF-1/V01/03", "disconnect-reason": "拆机"},
        follow=True,
    )
    assert "已拆除" in response.content.decode()
    assert not Jumper.objects.exists()


def test_type_ahead_offers_free_terminals_first(eng_client, plant):
    plant.add_phone(1)
    results = eng_client.get(reverse("patching:search", args=["terminals"]), {"q": "MDF-1/H01/0"}).json()[
        "results"
    ]
    assert results[0]["status"] == "free"
    assert results[-1]["designation"] == "MDF-1/H01/01"


def test_trace_history_checks_pages_speak_chinese(eng_client, plant):
    plant.add_phone(2)
    assert "路径完整" in eng_client.get(reverse("patching:trace"), {"q": "8002"}).content.decode()
    assert "变更历史" in eng_client.get(reverse("patching:history"), {"q": "MDF-1/H01/02"}).content.decode()
    assert "路径不完整的分机" in eng_client.get(reverse("patching:checks")).content.decode()
    assert "MDF-1/H01/02" in eng_client.get(reverse("patching:print"), {"building": "A"}).content.decode()


def test_extension_add_change_remove_through_the_page(eng_client, plant):
    response = eng_client.post(
        reverse("patching:extension_new"),
        {
            "number": "8801",
            "user_name": "钱八",
            "port": "PBX-1/1-02-09",
            "outlet": "A-1203-9",
            "reason": "装机",
        },
        follow=True,
    )
    assert "已新增分机 8801" in response.content.decode()
    response = eng_client.post(
        reverse("patching:extension_new"), {"number": "8802", "port": "PBX-1/1-02-09", "reason": "装机"}
    )
    assert "交换机端口 PBX-1/1-02-09 已分配给分机 8801" in response.content.decode()
    response = eng_client.post(
        reverse("patching:extension_edit", args=["8801"]), {"remove": "1", "reason": "拆机"}, follow=True
    )
    assert "已拆除分机 8801" in response.content.decode()


def test_a_requester_cannot_patch(client, plant):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.get(reverse("patching:table")).status_code == 403
    response = client.post(
        reverse("patching:jumpers"),
        {
            "action": "connect",
            "connect-terminal_a": "MDF-1/H01/03",
            "connect-terminal_b": "MDF-1/V01/03",
            "connect-reason": "x",
        },
    )
    assert response.status_code == 403
    assert not Jumper.objects.exists()


def test_point_in_time_and_diff_pages(eng_client, plant):
    plant.add_phone(1)
    body = eng_client.get(
        reverse("patching:table"), {"at": "2020-01-01 00:00", "status": "extension"}
    ).content.decode()
    assert "没有符合条件的行" in body
    body = eng_client.get(
        reverse("patching:diff"), {"before": "2020-01-01", "after": "2100-01-01 00:00"}
    ).content.decode()
    assert "新增" in body
    assert "8001" in body
    response = eng_client.get(
        reverse("patching:diff"), {"before": "2020-01-01", "after": "2100-01-01", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_type_ahead_for_disconnecting_offers_jumpered_terminals(eng_client, plant):
    plant.add_phone(5)
    results = eng_client.get(reverse("patching:search", args=["used-terminals"]), {"q": "MDF-1/V01"}).json()[
        "results"
    ]
    assert [r["designation"] for r in results] == ["MDF-1/V01/05"]


def test_searching_a_frame_code_finds_the_rows_on_that_frame(eng_client, plant):
    from apps.patching import services
    from apps.patching.models import Block, Frame

    plant.add_phone(1, user_name="甲")
    # A second floor frame, cabled to outlet A-1203-9 only.
    services.frame_create(code="IDF-B02", kind=Frame.Kind.FLOOR)
    block = services.block_create(frame="IDF-B02", code="H01", side=Block.Side.LINE, size=10)
    cable = services.cable_create(code="H-B02", pair_count=1)
    outlet = services.outlet_get_or_create(designation="A-1203-31")
    services.cable_pairs_wire(cable=cable, first_pair=1, last_pair=1, near_block=block, outlets=[outlet])
    services.extension_assign(number="8031", user_name="乙", outlet="A-1203-31", actor=plant.actor)
    services.outlet_get_or_create(designation="A-1203-32")

    body = eng_client.get(reverse("patching:table"), {"q": "idf-b02"}).content.decode()
    assert "乙" in body
    assert "8031" in body
    assert "甲" not in body
    assert "A-1203-5" not in body
    body = eng_client.get(reverse("patching:table"), {"q": "IDF-A01"}).content.decode()
    assert "甲" in body
    assert "A-1203-5" in body  # a spare outlet cabled from IDF-A01
    assert "乙" not in body
