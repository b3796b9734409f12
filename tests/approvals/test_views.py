import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.approvals import services
from apps.approvals.models import AdjustmentRecord, FunctionChange
from tests.factories import UserFactory
from tests.utils import assert_same_queries

from .factories import chief, engineer, make_request, request_values

pytestmark = pytest.mark.django_db
S = FunctionChange.Status

ROLES = [Role.REQUESTER, Role.ENGINEER, Role.CHIEF_ENGINEER, Role.ADMINISTRATOR]


def form_data(**overrides):
    data = request_values(**overrides)
    for key in ("planned_start", "planned_end"):
        data[key] = timezone.localtime(data[key]).strftime("%Y-%m-%dT%H:%M")
    data["service_interruption"] = "on" if data["service_interruption"] else ""
    return data


@pytest.fixture
def owner():
    return engineer(username="owner", name="王工")


def login(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    return user


# Pages each role may open (200) or not (403), for a request someone else made.
PAGE_MATRIX = {
    # page: requester, engineer, chief engineer, administrator
    "approvals:mine": (403, 200, 200, 200),
    "approvals:list": (403, 200, 200, 200),
    "approvals:queue": (403, 403, 200, 403),
    "approvals:create": (403, 200, 200, 403),
    "approvals:detail": (403, 200, 200, 200),
    "approvals:decide": (403, 403, 200, 403),
    "approvals:implement": (403, 200, 200, 403),
    "approvals:adjustments": (403, 200, 200, 200),
    "approvals:adjustments_export": (403, 200, 200, 200),
    "approvals:list_export": (403, 200, 200, 200),
    "approvals:adjustment_create": (403, 200, 200, 403),
}


@pytest.mark.parametrize("url_name", PAGE_MATRIX)
@pytest.mark.parametrize("role_index", range(4), ids=[r.value for r in ROLES])
def test_page_permission_matrix(client, owner, url_name, role_index):
    change = make_request(requester=owner, status=S.SUBMITTED)
    login(client, ROLES[role_index])
    args = [change.pk] if url_name in ("approvals:detail", "approvals:decide", "approvals:implement") else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == PAGE_MATRIX[url_name][role_index]


# Posting each transition directly: who succeeds (302 to the request) and who gets 403.
ACTION_MATRIX = {
    # action: (state it needs, requester, engineer, chief engineer, administrator)
    "submit": (S.DRAFT, 403, 403, 403, 403),
    "decide": (S.SUBMITTED, 403, 403, 302, 403),
    "withdraw": (S.SUBMITTED, 403, 403, 302, 403),
    "implement": (S.APPROVED, 403, 302, 302, 403),
    "verify": (S.IMPLEMENTED, 403, 403, 302, 403),
    "edit": (S.SUBMITTED, 403, 403, 403, 403),
}
TARGET = {
    "submit": S.SUBMITTED,
    "decide": S.APPROVED,
    "withdraw": S.WITHDRAWN,
    "implement": S.IMPLEMENTED,
    "verify": S.VERIFIED,
}


def _post(client, action, change):
    url = reverse(f"approvals:{action}", args=[change.pk])
    if action == "decide":
        return client.post(url, {"decision": "approve", "comment": "同意", "revision": change.revision})
    if action == "implement":
        return client.post(
            url, {"implemented_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "notes": ""}
        )
    if action == "edit":
        return client.post(url, form_data(title="别人改的"))
    return client.post(url, {"comment": ""})


@pytest.mark.parametrize("action", ACTION_MATRIX)
@pytest.mark.parametrize("role_index", range(4), ids=[r.value for r in ROLES])
def test_action_permission_matrix_on_someone_elses_request(client, owner, action, role_index):
    needs, *expected = ACTION_MATRIX[action]
    change = make_request(requester=owner, status=needs, approver=chief())
    login(client, ROLES[role_index])
    response = _post(client, action, change)
    assert response.status_code == expected[role_index]
    change.refresh_from_db()
    if response.status_code == 302:
        assert change.status == TARGET[action]
    else:
        assert change.status == needs


def test_the_requester_submits_edits_withdraws_and_verifies_their_own_request(client, owner):
    client.force_login(owner)
    draft = make_request(requester=owner)
    assert _post(client, "submit", draft).status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert _post(client, "withdraw", draft).status_code == 302
    done = make_request(requester=owner, status=S.IMPLEMENTED)
    assert _post(client, "verify", done).status_code == 302
    done.refresh_from_db()
    assert done.status == S.VERIFIED


def test_chief_engineer_may_not_decide_own_request_even_by_posting(client):
    boss = chief()
    change = make_request(requester=boss, status=S.SUBMITTED)
    client.force_login(boss)
    response = _post(client, "decide", change)
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    # The queue does not offer it either.
    page = client.get(reverse("approvals:queue")).content.decode()
    assert "本人申请" in page


def test_engineer_creates_and_submits_a_request_from_the_form(client, owner):
    boss = chief()
    client.force_login(owner)
    response = client.post(reverse("approvals:create"), {**form_data(), "submit": "1"}, follow=True)
    change = FunctionChange.objects.get()
    assert change.status == S.SUBMITTED
    assert f"申请 {change.code} 已提交审批" in response.content.decode()
    assert boss.notifications.filter(title__contains=change.code).exists()


def test_form_errors_are_in_chinese_and_nothing_is_saved(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("approvals:create"), {**form_data(target_extensions="80x1"), "submit": "1"}
    )
    assert response.status_code == 200
    assert "“80x1”不是分机号" in response.content.decode()
    assert not FunctionChange.objects.exists()


def test_editing_after_submission_through_the_page_resets_approval(client, owner):
    change = make_request(requester=owner, status=S.APPROVED)
    client.force_login(owner)
    page = client.get(reverse("approvals:edit", args=[change.pk])).content.decode()
    assert "保存修改后将重新进入待审批" in page
    response = client.post(
        reverse("approvals:edit", args=[change.pk]), form_data(wanted_value="仅内线"), follow=True
    )
    body = response.content.decode()
    assert "重新进入待审批（版本 2）" in body
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    # The earlier approval still shows what it approved.
    assert "仅市话" in body


def test_chief_engineer_rejects_with_comment_and_requester_sees_it(client, owner):
    change = make_request(requester=owner, status=S.SUBMITTED)
    client.force_login(chief())
    url = reverse("approvals:decide", args=[change.pk])
    response = client.post(url, {"decision": "reject", "comment": "", "revision": 1})
    assert "请填写驳回理由" in response.content.decode()
    client.post(url, {"decision": "reject", "comment": "窗口与营业高峰冲突", "revision": 1})
    change.refresh_from_db()
    assert change.status == S.REJECTED
    client.force_login(owner)
    detail = client.get(change.get_absolute_url()).content.decode()
    assert "窗口与营业高峰冲突" in detail
    assert "被驳回的内容" in detail
    assert "重新提交" in detail


def test_implementing_before_approval_shows_a_clear_chinese_message(client, owner):
    change = make_request(requester=owner, status=S.SUBMITTED)
    client.force_login(owner)
    url = reverse("approvals:implement", args=[change.pk])
    assert "尚未经总工批准，不能实施" in client.get(url).content.decode()
    response = client.post(url, {"implemented_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert "此申请当前为待审批，尚未经总工批准，不能实施。" in response.content.decode()
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    assert not AdjustmentRecord.objects.exists()


def test_implementing_through_the_page_writes_the_adjustment_record(client, owner):
    change = make_request(requester=owner, status=S.APPROVED)
    client.force_login(engineer())
    when = timezone.localtime() - datetime.timedelta(minutes=3)
    response = client.post(
        reverse("approvals:implement", args=[change.pk]),
        {"implemented_at": when.strftime("%Y-%m-%dT%H:%M"), "notes": "已拨测"},
        follow=True,
    )
    record = AdjustmentRecord.objects.get()
    assert f"已写入调整记录 {record.code}" in response.content.decode()
    page = client.get(reverse("approvals:adjustments")).content.decode()
    assert change.code in page
    assert "国内长途" in page


def test_queue_shows_age_oldest_first(client, owner):
    old = make_request(requester=owner, status=S.SUBMITTED, title="较早的申请")
    FunctionChange.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))
    make_request(requester=owner, status=S.SUBMITTED, title="较新的申请")
    client.force_login(chief())
    body = client.get(reverse("approvals:queue")).content.decode()
    assert body.index("较早的申请") < body.index("较新的申请")
    ages = re.findall(r'data-testid="age">([^<]*)<', body)
    assert ages[0].startswith("2")
    assert "日" in ages[0]


def test_adjustment_list_filters_and_exports_to_excel(client, owner):
    eng = engineer()
    services.adjustment_record_create(
        actor=eng,
        kind="voicemail",
        what="=调整语音信箱容量",
        target_scope="pbx",
        target_pbx="PBX-1",
        before_value="30 条",
        after_value="60 条",
        reason="容量不足",
        performed_at=timezone.now(),
    )
    make_request(requester=owner, status=S.IMPLEMENTED)
    client.force_login(eng)
    body = client.get(reverse("approvals:adjustments"), {"source": "manual"}).content.decode()
    assert "调整语音信箱容量" in body
    assert "限制分机长途" not in body
    response = client.get(reverse("approvals:adjustments_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "调整时间", "调整类别", "调整内容")
    assert len(rows) == 3
    whats = {r[3] for r in rows[1:]}
    assert whats == {"'=调整语音信箱容量", "限制分机长途"}


def test_manual_adjustment_entry_page(client):
    client.force_login(engineer())
    data = {
        "kind": "other",
        "what": "调整 8001 振铃音量",
        "target_scope": "extensions",
        "target_extensions": "8001",
        "before_value": "3",
        "after_value": "5",
        "reason": "听不到来电",
        "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "notes": "",
    }
    response = client.post(reverse("approvals:adjustment_create"), data, follow=True)
    assert "已登记" in response.content.decode()
    assert AdjustmentRecord.objects.get().source == AdjustmentRecord.Source.MANUAL


def test_home_cards_show_queue_with_age_and_my_requests(client, owner):
    change = make_request(requester=owner, status=S.SUBMITTED, title="待审批的调整")
    mine = make_request(requester=owner, status=S.REJECTED, title="被驳回的调整")
    client.force_login(chief())
    body = client.get(reverse("core:home")).content.decode()
    assert "待您审批的功能调整" in body
    assert "待审批的调整" in body
    assert "已等待" in body
    client.force_login(owner)
    body = client.get(reverse("core:home")).content.decode()
    assert "我的功能调整" in body
    assert mine.title in body
    assert change.title in body
    assert "已驳回" in body


def _add_requests(owner, status=S.IMPLEMENTED):
    def add(n):
        boss = chief()
        for _ in range(n):
            make_request(requester=owner, status=status, approver=boss)

    return add


@pytest.mark.parametrize(
    "url_name", ["approvals:mine", "approvals:list", "approvals:queue", "approvals:adjustments"]
)
def test_list_pages_do_not_grow_queries_with_rows(client, owner, url_name):
    viewer = chief()
    client.force_login(owner if url_name == "approvals:mine" else viewer)
    status = S.SUBMITTED if url_name == "approvals:queue" else S.IMPLEMENTED
    assert_same_queries(client, reverse(url_name), _add_requests(owner, status))


def test_detail_page_queries_do_not_grow_with_history(client, owner):
    change = make_request(requester=owner, status=S.SUBMITTED)
    client.force_login(chief())

    def add(n):
        for i in range(n):
            services.function_change_update(actor=owner, change=change, wanted_value=f"值{i}{n}")

    assert_same_queries(client, change.get_absolute_url(), add)


def test_home_page_queries_do_not_grow_with_requests(client, owner):
    client.force_login(chief())
    assert_same_queries(client, reverse("core:home"), _add_requests(owner, S.SUBMITTED))


def test_adjustment_records_can_be_found_by_request_number(client, owner):
    change = make_request(requester=owner, status=S.IMPLEMENTED, title="开通语音信箱")
    make_request(requester=owner, status=S.IMPLEMENTED, title="另一项调整")
    client.force_login(owner)
    detail = client.get(change.get_absolute_url()).content.decode()
    assert f"?q={change.code}" in detail
    body = client.get(reverse("approvals:adjustments"), {"q": change.code}).content.decode()
    assert "开通语音信箱" in body
    assert "另一项调整" not in body


def test_decide_page_shows_what_changed_since_the_earlier_approval(client, owner):
    change = make_request(requester=owner, status=S.APPROVED)
    services.function_change_update(actor=owner, change=change, wanted_value="仅内线")
    client.force_login(chief())
    body = client.get(reverse("approvals:decide", args=[change.pk])).content.decode()
    assert "自版本 1 审批后的改动" in body
    assert "仅市话" in body
    assert "仅内线" in body


def test_function_changes_export_lists_requests_with_their_decisions(client, owner):
    boss = chief(name="李总工")
    make_request(requester=owner, status=S.APPROVED, approver=boss, title="=开通代答组")
    make_request(requester=owner, status=S.DRAFT, title="草稿申请")
    client.force_login(boss)
    response = client.get(reverse("approvals:list_export"), {"status": "approved"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "标题")
    assert len(rows) == 2
    assert rows[1][1] == "'=开通代答组"
    assert rows[1][11] == "已批准"
    assert rows[1][13] == "李总工"


def test_pages_read_in_english_for_an_english_user(client, owner):
    change = make_request(requester=owner, status=S.SUBMITTED)
    viewer = chief(language="en")
    client.force_login(viewer)
    body = client.get(change.get_absolute_url()).content.decode()
    assert "Pending approval" in body
    assert "Rollback plan" in body


def test_adjustment_records_filter_by_engineer_and_date(client):
    wang, zhao = engineer(name="王工"), engineer(name="赵工")
    for who, what, days in ((wang, "王工的调整", 1), (zhao, "赵工的调整", 10)):
        services.adjustment_record_create(
            actor=who,
            kind="other",
            what=what,
            target_scope="system",
            before_value="a",
            after_value="b",
            reason="c",
            performed_at=timezone.now() - datetime.timedelta(days=days),
        )
    client.force_login(wang)
    body = client.get(reverse("approvals:adjustments"), {"performed_by": zhao.pk}).content.decode()
    assert "赵工的调整" in body
    assert "王工的调整" not in body
    since = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    body = client.get(reverse("approvals:adjustments"), {"date_from": since}).content.decode()
    assert "王工的调整" in body
    assert "赵工的调整" not in body
