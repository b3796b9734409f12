import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.faults import selectors, services
from apps.faults.models import AccessEntry, Document, DocumentVersion, Fault, InspectionRound
from tests.factories import UserFactory
from tests.faults.factories import answers, engineer, requester, room_checklist
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db


def _files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Inspections --------------------------------------------------------------------------------


def test_a_normal_round_opens_no_fault():
    template = room_checklist()
    round_ = services.inspection_round_record(template=template, actor=engineer(), answers=answers(template))
    assert round_.abnormal_count == 0
    assert not Fault.objects.exists()


def test_an_abnormal_item_opens_exactly_one_fault_linked_to_the_round():
    template = room_checklist()
    round_ = services.inspection_round_record(
        template=template, actor=engineer(), answers=answers(template, 温度="32.5")
    )
    fault = Fault.objects.get()
    assert round_.abnormal_count == 1
    assert fault.inspection_round == round_
    assert fault.channel == "inspection"
    assert fault.inspection_result.item.label == "温度"
    assert "32.5" in fault.symptom
    assert "10–30 °C" in fault.symptom


def test_a_round_cannot_be_recorded_twice_for_the_same_day_nor_open_a_second_fault():
    template = room_checklist()
    wang = engineer()
    services.inspection_round_record(template=template, actor=wang, answers=answers(template, 湿度="80"))
    with pytest.raises(ValidationError, match="已由"):
        services.inspection_round_record(
            template=template, actor=engineer(), answers=answers(template, 湿度="80")
        )
    assert Fault.objects.count() == 1
    assert InspectionRound.objects.count() == 1


def test_an_unanswered_item_is_named_and_nothing_is_saved():
    template = room_checklist()
    bad = answers(template, 温度="")
    with pytest.raises(ValidationError) as excinfo:
        services.inspection_round_record(template=template, actor=engineer(), answers=bad)
    assert "温度：请输入读数" in str(excinfo.value)
    assert not InspectionRound.objects.exists()


def test_phone_page_records_a_round_with_an_abnormal_item(client):
    template = room_checklist()
    client.force_login(engineer())
    items = {i.label: i.pk for i in template.items.all()}
    page = client.get(reverse("faults:round_record", args=[template.pk])).content.decode()
    assert "width=device-width" in page
    assert "温度" in page
    response = client.post(
        reverse("faults:round_record", args=[template.pk]),
        {
            f"item_{items['交换机运行状态']}": "fail",
            f"item_{items['温度']}": "22",
            f"item_{items['湿度']}": "50",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "1 项异常" in text
    assert Fault.objects.get().number in text


def test_missed_rounds_are_flagged_on_the_dashboard(client):
    template = room_checklist()
    wang = engineer()
    today = timezone.localdate()
    from apps.faults.models import ChecklistTemplate

    ChecklistTemplate.objects.filter(pk=template.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    services.inspection_round_record(
        template=template, actor=wang, answers=answers(template), day=today - datetime.timedelta(days=1)
    )
    status = selectors.inspection_status()
    assert [m["slot"] for m in status["missed"]] == [today - datetime.timedelta(days=d) for d in (3, 2)]
    assert [d["slot"] for d in status["due"]] == [today]
    client.force_login(wang)
    page = client.get(reverse("core:home")).content.decode()
    assert "漏检" in page


def test_inspection_list_query_count(client):
    template = room_checklist()
    wang = engineer()
    client.force_login(wang)
    today = timezone.localdate()
    made = []

    def add_rounds(n):
        for _ in range(n):
            made.append(1)
            services.inspection_round_record(
                template=template,
                actor=wang,
                answers=answers(template),
                day=today - datetime.timedelta(days=len(made)),
            )

    assert_same_queries(client, reverse("faults:inspections"), add_rounds)


# Access log ---------------------------------------------------------------------------------


def test_a_visitor_without_an_escort_is_refused_with_a_clear_message(client):
    client.force_login(engineer())
    response = client.post(
        reverse("faults:access_log"), {"person_name": "张师傅", "organisation": "电信", "purpose": "维修"}
    )
    assert response.status_code == 400
    assert "张师傅 不是机房工作人员，须由机房人员陪同方可进入" in response.content.decode()
    assert not AccessEntry.objects.exists()


def test_a_colleague_who_is_not_room_staff_also_needs_an_escort():
    with pytest.raises(ValidationError, match="陪同"):
        services.access_entry_record(actor=engineer(), person=requester(), purpose="取资料")


def test_an_escort_must_be_room_staff():
    with pytest.raises(ValidationError, match="不能陪同"):
        services.access_entry_record(actor=engineer(), person_name="访客", purpose="参观", escort=requester())


def test_who_is_in_the_room_now_and_signing_out(client):
    wang = engineer()
    inside = services.access_entry_record(actor=wang, person=wang, purpose="巡检")
    visitor = services.access_entry_record(
        actor=wang, person_name="李工", organisation="厂家", purpose="升级", escort=wang
    )
    assert list(selectors.access_in_room_now()) == [inside, visitor]
    with pytest.raises(ValidationError, match="已在机房内"):
        services.access_entry_record(actor=wang, person=wang, purpose="再次进入")
    client.force_login(wang)
    client.post(reverse("faults:access_sign_out", args=[visitor.pk]))
    assert list(selectors.access_in_room_now()) == [inside]
    assert "李工" in client.get(reverse("faults:access_log")).content.decode()
    export = client.get(reverse("faults:access_export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_database_refuses_an_unescorted_visitor_even_past_the_service():
    from django.db import IntegrityError, transaction

    wang = engineer()
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessEntry.objects.create(person_name="无人陪同", purpose="x", recorded_by=wang, room_staff=False)


def test_access_log_is_refused_to_requesters(client):
    client.force_login(requester())
    assert client.get(reverse("faults:access_log")).status_code == 403


def test_access_log_query_count(client):
    wang = engineer()
    client.force_login(wang)

    def add(n):
        for i in range(n):
            entry = services.access_entry_record(
                actor=wang, person_name=f"访客{i}", purpose="参观", escort=wang
            )
            services.access_entry_sign_out(entry=entry, actor=wang)

    assert_same_queries(client, reverse("faults:access_log"), add)


# Documents ----------------------------------------------------------------------------------


def test_document_upload_keeps_versions_and_serves_them_only_to_staff(client, settings):
    wang = engineer()
    client.force_login(wang)
    response = client.post(
        reverse("faults:documents"),
        {
            "title": "交换机手册",
            "category": "manual",
            "file": SimpleUploadedFile(
                "../../交换机 手册.pdf", b"%PDF-1.4 demo", content_type="application/pdf"
            ),
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("faults:document_detail", args=[document.pk]),
        {"file": SimpleUploadedFile("手册v2.pdf", b"%PDF-1.5 demo"), "note": "第二版"},
    )
    versions = list(DocumentVersion.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].original_name == "交换机_手册.pdf"
    assert "/" not in versions[0].file.name.removeprefix("faults/documents/")[8:]
    download = client.get(versions[0].get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(requester())
    assert client.get(versions[0].get_absolute_url()).status_code == 403
    client.logout()
    assert client.get(versions[0].get_absolute_url()).status_code == 302


def test_a_forbidden_file_type_is_refused_and_leaves_nothing_on_disk(client, settings):
    client.force_login(engineer())
    response = client.post(
        reverse("faults:documents"),
        {"title": "脚本", "category": "other", "file": SimpleUploadedFile("run.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 400
    assert "不接受 .exe 类型的文件" in response.content.decode()
    assert not Document.objects.exists()
    assert _files(settings) == []


def test_a_file_that_lies_about_its_type_is_refused(settings):
    with pytest.raises(ValidationError, match="内容与其类型"):
        services.document_create(
            actor=engineer(), title="假PDF", category="manual", upload=SimpleUploadedFile("x.pdf", b"<html>")
        )
    assert _files(settings) == []


def test_a_too_large_upload_is_refused_and_leaves_nothing_on_disk(client, settings):
    settings.FAULTS_DOCUMENT_MAX_BYTES = 1024
    client.force_login(engineer())
    response = client.post(
        reverse("faults:documents"),
        {
            "title": "大图纸",
            "category": "drawing",
            "file": SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 4096),
        },
    )
    assert response.status_code == 400
    assert "文件大小为" in response.content.decode()
    assert not Document.objects.exists()
    assert _files(settings) == []


def test_document_shelf_query_count(client):
    wang = engineer()
    client.force_login(wang)

    def add(n):
        start = Document.objects.count()
        for i in range(n):
            services.document_create(
                actor=wang,
                title=f"图纸{start + i}",
                category="drawing",
                upload=SimpleUploadedFile("a.txt", "配线图".encode()),
            )

    assert_same_queries(client, reverse("faults:documents"), add)


def test_frozen_clock_helper_is_available():
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        assert timezone.now().year == 2026
    assert UserFactory


# Checklist templates ------------------------------------------------------------------------


def test_chief_engineer_builds_a_checklist_with_limits(client):
    from apps.faults.models import ChecklistTemplate
    from tests.faults.factories import chief

    client.force_login(chief())
    response = client.post(
        reverse("faults:checklists"),
        {"name": "UPS 周检", "room": "配电间", "frequency": "weekly", "active": "on"},
    )
    template = ChecklistTemplate.objects.get(name="UPS 周检")
    assert response.status_code == 302
    url = reverse("faults:checklist_detail", args=[template.pk])
    client.post(
        url,
        {
            "what": "item",
            "label": "电池温度",
            "kind": "number",
            "unit": "°C",
            "min_value": "5",
            "max_value": "35",
        },
    )
    page = client.post(
        url, {"what": "item", "label": "电压", "kind": "number", "min_value": "240", "max_value": "200"}
    ).content.decode()
    assert "电压：最高正常值低于最低正常值" in page
    assert [i.label for i in template.items.all()] == ["电池温度"]
    assert "5–35 °C" in client.get(url).content.decode()


def test_an_answered_item_cannot_be_removed():
    template = room_checklist()
    services.inspection_round_record(template=template, actor=engineer(), answers=answers(template))
    with pytest.raises(ValidationError, match="不能删除"):
        services.checklist_item_remove(actor=engineer(), item=template.items.first())


def test_engineers_cannot_change_checklists(client):
    template = room_checklist()
    client.force_login(engineer())
    url = reverse("faults:checklist_detail", args=[template.pk])
    assert client.post(url, {"what": "item", "label": "x", "kind": "text"}).status_code == 403


def test_checklist_list_query_count(client):
    from tests.faults.factories import chief

    client.force_login(chief())
    assert_same_queries(client, reverse("faults:checklists"), lambda n: [room_checklist() for _ in range(n)])


def test_model_validation_explains_the_escort_rule_for_any_door():
    entry = AccessEntry(person_name="访客", purpose="参观", recorded_by=engineer(), room_staff=False)
    with pytest.raises(ValidationError) as excinfo:
        entry.full_clean()
    assert "须由机房人员陪同" in str(excinfo.value.message_dict["escort"])
