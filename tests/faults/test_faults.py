import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.models import Notification
from apps.faults import selectors, services
from apps.faults.models import Fault, FaultAction, FaultEvent, ResponseTarget
from tests.faults.factories import chief, engineer, report, requester
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db


def test_fault_gets_a_readable_number_counting_per_year():
    with time_machine.travel(
        datetime.datetime(2026, 12, 31, 15, 0, tzinfo=datetime.UTC)
    ):  # 23:00 in Shanghai
        first = report()
        second = report()
    with time_machine.travel(datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.UTC)):  # 1 January 01:00
        third = report()
    assert (first.number, second.number) == ("GZ-2026-00001", "GZ-2026-00002")
    assert third.number == "GZ-2027-00001"


def test_fault_life_cycle_through_services_keeps_every_step_in_the_timeline():
    wang = engineer()
    fault = report(severity="major")
    assert fault.status == Fault.Status.REPORTED
    fault = services.fault_acknowledge(fault=fault, actor=wang)
    fault = services.fault_take(fault=fault, actor=wang)
    action = services.fault_action_add(
        fault=fault, actor=wang, description="重新跳线 MDF-1/H03/17", jumpers_changed=True
    )
    assert action.patch_reference == fault.number  # the fault number is the patch-table reference
    fault = services.fault_hold(fault=fault, actor=wang, reason="等待备件")
    fault = services.fault_resume(fault=fault, actor=wang)
    fault = services.fault_restore(fault=fault, actor=wang)
    fault = services.fault_close(fault=fault, actor=wang, cause="frame", resolution="跳线氧化")
    fault = services.fault_reopen(fault=fault, actor=wang, reason="又没有拨号音")
    assert fault.status == Fault.Status.IN_PROGRESS
    assert fault.reopen_count == 1
    assert fault.restored_at is None
    assert fault.cause == ""
    kinds = list(FaultEvent.objects.filter(fault=fault).values_list("kind", flat=True))
    assert kinds == [
        "reported",
        "acknowledged",
        "taken",
        "action",
        "held",
        "resumed",
        "restored",
        "closed",
        "reopened",
    ]


def test_closing_needs_a_cause_and_a_restored_fault():
    wang = engineer()
    fault = report()
    with pytest.raises(ValidationError, match="不能关闭"):
        services.fault_close(fault=fault, actor=wang, cause="pbx")
    services.fault_restore(fault=fault, actor=wang)
    with pytest.raises(ValidationError) as excinfo:
        services.fault_close(fault=fault, actor=wang, cause="")
    assert "请选择故障原因" in str(excinfo.value)
    assert Fault.objects.get(pk=fault.pk).status == Fault.Status.RESTORED


def test_hold_without_a_reason_is_refused_and_nothing_changes():
    wang = engineer()
    fault = services.fault_take(fault=report(), actor=wang)
    with pytest.raises(ValidationError):
        services.fault_hold(fault=fault, actor=wang, reason="  ")
    assert Fault.objects.get(pk=fault.pk).status == Fault.Status.IN_PROGRESS


def test_report_notifies_engineers_and_restore_notifies_the_reporter():
    wang = engineer()
    zhao = requester()
    fault = report(actor=zhao, severity="critical")
    assert Notification.objects.filter(recipient=wang, title__contains=fault.number).exists()
    services.fault_restore(fault=fault, actor=wang)
    assert Notification.objects.filter(recipient=zhao, title__contains="已恢复").exists()


def test_quick_report_form_reports_a_fault_in_one_post(client):
    zhao = requester()
    client.force_login(zhao)
    response = client.post(
        reverse("faults:report"),
        {
            "item_kind": "extension",
            "item": "8123",
            "symptom": "无拨号音",
            "severity": "minor",
            "channel": "phone",
        },
    )
    fault = Fault.objects.get()
    assert response.status_code == 302
    assert response["Location"] == fault.get_absolute_url()
    page = client.get(fault.get_absolute_url()).content.decode()
    assert fault.number in page
    assert "已报告" in page


def test_quick_report_form_names_the_missing_field(client):
    client.force_login(requester())
    response = client.post(reverse("faults:report"), {"item_kind": "extension", "item": "", "symptom": "x"})
    assert response.status_code == 200
    assert "该字段是必填项" in response.content.decode()
    assert not Fault.objects.exists()


def test_engineer_works_a_fault_through_the_pages(client):
    wang = engineer()
    fault = report()
    client.force_login(wang)
    url = lambda t: reverse("faults:transition", args=[fault.number, t])  # noqa: E731
    client.post(url("acknowledge"))
    client.post(url("take"))
    client.post(url("action"), {"description": "更换话机线", "jumpers_changed": "on", "patch_reference": ""})
    client.post(url("restore"), {"note": "测试正常"})
    response = client.post(url("close"), {"cause": "handset", "resolution": "话机线损坏"}, follow=True)
    page = response.content.decode()
    assert "故障已关闭" in page
    assert "更换话机线" in page
    assert "话机" in page
    fault.refresh_from_db()
    assert fault.status == Fault.Status.CLOSED
    assert fault.cause == "handset"
    assert FaultAction.objects.get(fault=fault).patch_reference == fault.number


def test_a_refused_transition_shows_why_and_changes_nothing(client):
    fault = report()
    client.force_login(engineer())
    response = client.post(
        reverse("faults:transition", args=[fault.number, "reopen"]), {"reopen-reason": "x"}, follow=True
    )
    assert "不能重新打开" in response.content.decode()
    assert Fault.objects.get(pk=fault.pk).status == Fault.Status.REPORTED


def test_requester_sees_only_their_own_faults(client):
    zhao, qian = requester(), requester()
    mine = report(actor=zhao, item="8101")
    theirs = report(actor=qian, item="8999")
    client.force_login(zhao)
    page = client.get(reverse("faults:list")).content.decode()
    assert mine.number in page
    assert theirs.number not in page
    assert client.get(theirs.get_absolute_url()).status_code == 403
    assert client.get(mine.get_absolute_url()).status_code == 200


def test_requester_cannot_work_a_fault(client):
    zhao = requester()
    fault = report(actor=zhao)
    client.force_login(zhao)
    response = client.post(reverse("faults:transition", args=[fault.number, "acknowledge"]))
    assert response.status_code == 403
    assert Fault.objects.get(pk=fault.pk).status == Fault.Status.REPORTED


def test_engineers_see_every_fault_in_the_queue(client):
    faults = [report(actor=requester(), item=str(8100 + i)) for i in range(3)]
    client.force_login(engineer())
    page = client.get(reverse("faults:list")).content.decode()
    assert all(f.number in page for f in faults)


def test_repeated_faults_on_one_extension_are_highlighted(client):
    report(item="8123")
    report(item="8123")
    report(item="8200")
    client.force_login(engineer())
    page = client.get(reverse("faults:list")).content.decode()
    assert "重复 ×2" in page
    history = client.get(
        reverse("faults:item_history"), {"kind": "extension", "item": "8123"}
    ).content.decode()
    assert "重复：2 次故障" in history


def test_statistics_page_and_excel_export(client):
    wang = engineer()
    start = timezone.now() - datetime.timedelta(days=3)
    with time_machine.travel(start, tick=False):
        fault = report(severity="critical")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        services.fault_acknowledge(fault=fault, actor=wang)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        services.fault_restore(fault=fault, actor=wang)
        services.fault_close(fault=fault, actor=wang, cause="power")
    report(severity="major")
    stats = selectors.fault_statistics()
    month = [m for m in stats["monthly"] if m["count"]][-1]
    assert stats["open_total"] == 1
    assert stats["causes"] == [{"cause": "power", "label": "电源", "count": 1, "mttr": 120.0}]
    client.force_login(wang)
    page = client.get(reverse("faults:statistics")).content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "平均修复" in page
    response = client.get(reverse("faults:export"))
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    rows = list(workbook["故障"].iter_rows(values_only=True))
    assert rows[0][0] == "故障编号"
    assert len(rows) == 3
    assert any(r[0] == month["month"] for r in workbook.worksheets[1].iter_rows(values_only=True))


def test_statistics_are_refused_to_requesters(client):
    client.force_login(requester())
    assert client.get(reverse("faults:statistics")).status_code == 403
    assert client.get(reverse("faults:export")).status_code == 403


def test_chief_engineer_edits_targets_and_engineer_may_only_read_them(client):
    client.force_login(chief())
    data = {
        "critical_respond": 10,
        "critical_restore": 120,
        "major_respond": 60,
        "major_restore": 1440,
        "minor_respond": 240,
        "minor_restore": 4320,
    }
    client.post(reverse("faults:targets"), data)
    assert ResponseTarget.objects.get(severity="critical").respond_minutes == 10
    client.force_login(engineer())
    assert client.post(reverse("faults:targets"), data).status_code == 403
    assert "120" in client.get(reverse("faults:targets")).content.decode()


def test_targets_refuse_a_restore_shorter_than_the_response():
    with pytest.raises(ValidationError, match="修复时限不能短于响应时限"):
        services.response_target_update(
            actor=chief(), severity="minor", respond_minutes=60, restore_minutes=30
        )
    assert ResponseTarget.objects.get(severity="minor").restore_minutes == 4320


def test_home_card_shows_engineers_the_open_faults_and_requesters_their_own(client):
    zhao = requester()
    fault = report(actor=zhao, severity="critical")
    client.force_login(engineer())
    page = client.get(reverse("core:home")).content.decode()
    assert "未处理的故障" in page
    assert fault.number in page
    client.force_login(zhao)
    page = client.get(reverse("core:home")).content.decode()
    assert "我报告的故障" in page
    assert fault.number in page


def test_fault_queue_query_count_does_not_grow_with_rows(client):
    client.force_login(engineer())
    zhao = requester()
    assert_same_queries(
        client, reverse("faults:list"), lambda n: [report(actor=zhao, item=str(8000 + i)) for i in range(n)]
    )


def test_fault_detail_query_count_does_not_grow_with_actions(client):
    wang = engineer()
    fault = services.fault_take(fault=report(), actor=wang)
    client.force_login(wang)

    def add_actions(n):
        for i in range(n):
            services.fault_action_add(
                fault=fault, actor=wang, description=f"检查 {i}", jumpers_changed=bool(i % 2)
            )

    assert_same_queries(client, fault.get_absolute_url(), add_actions)


def test_item_history_query_count(client):
    client.force_login(engineer())
    zhao = requester()
    assert_same_queries(
        client,
        reverse("faults:item_history") + "?kind=extension&item=8123",
        lambda n: [report(actor=zhao) for _ in range(n)],
    )


def test_queue_puts_unacknowledged_and_critical_faults_first(client):
    wang = engineer()
    seen_critical = report(severity="critical", item="8001")
    services.fault_acknowledge(fault=seen_critical, actor=wang)
    minor = report(severity="minor", item="8002")
    critical = report(severity="critical", item="8003")
    client.force_login(wang)
    page = client.get(reverse("faults:list")).content.decode()
    positions = [page.index(f.number) for f in (critical, minor, seen_critical)]
    assert positions == sorted(positions)


def test_an_english_speaking_engineer_reads_the_queue_in_english(client):
    report()
    client.force_login(engineer(language="en"))
    page = client.get(reverse("faults:list")).content.decode()
    assert "Fault queue" in page
    assert "Reported" in page


def test_model_validation_explains_a_closed_fault_without_cause():
    fault = report()
    fault.status = Fault.Status.CLOSED
    fault.restored_at = fault.closed_at = timezone.now()
    fault.acknowledged_at = fault.reported_at
    with pytest.raises(ValidationError) as excinfo:
        fault.full_clean()
    assert "关闭的故障须填写原因" in str(excinfo.value.message_dict["cause"])


def test_an_action_that_changed_jumpers_links_to_the_patch_history_of_the_fault(client):
    wang = engineer()
    fault = services.fault_take(fault=report(), actor=wang)
    services.fault_action_add(fault=fault, actor=wang, description="重新跳线", jumpers_changed=True)
    client.force_login(wang)
    page = client.get(fault.get_absolute_url()).content.decode()
    assert f'href="{reverse("patching:history")}?reference={fault.number}"' in page
