import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.models import Notification
from apps.frontdesk.models import UseRequest
from apps.frontdesk.services import use_request_decide, use_request_submit
from tests.factories import UserFactory

from .factories import floor_manager_user, front_desk_user, make_line, shift_leader_user

pytestmark = pytest.mark.django_db


def test_employee_asks_and_the_floor_manager_approves(client):
    manager = floor_manager_user()
    desk = front_desk_user()
    line = make_line()
    client.force_login(desk)
    response = client.post(
        reverse("frontdesk:use_request_new"),
        {
            "line": line.pk,
            "reason": "孩子发烧，要给家里打电话",
            "wanted_at": "2026-03-02T15:00",
            "minutes": 5,
        },
        follow=True,
    )
    assert "申请已提交大堂经理。" in response.content.decode()
    request = UseRequest.objects.get()
    assert request.status == UseRequest.Status.PENDING
    assert Notification.objects.filter(recipient=manager, title__contains="私用电话申请").exists()

    client.force_login(manager)
    home = client.get(reverse("core:home")).content.decode()
    assert "1 份私用电话申请等您审批" in home
    response = client.post(
        reverse("frontdesk:use_request_decide", args=[request.pk]),
        {"decision": "approve", "comment": "快去快回"},
        follow=True,
    )
    page = response.content.decode()
    assert "审批已记录。" in page
    assert "孙前台" in page
    assert "已同意" in page
    assert "快去快回" in page
    request.refresh_from_db()
    assert request.status == UseRequest.Status.APPROVED
    assert request.decided_by == manager
    assert Notification.objects.filter(recipient=desk, title__contains="私用电话已同意").exists()


@pytest.mark.parametrize("role", [Role.SHIFT_LEADER, Role.FRONT_DESK, Role.ADMINISTRATOR])
def test_only_the_floor_manager_decides(client, role):
    request = use_request_submit(actor=front_desk_user(), reason="打电话回家")
    someone = UserFactory(roles=[role])
    with pytest.raises(PermissionDenied):
        use_request_decide(actor=someone, use_request=request, approve=True)
    client.force_login(someone)
    response = client.post(
        reverse("frontdesk:use_request_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == UseRequest.Status.PENDING


def test_the_floor_manager_cannot_approve_their_own_request():
    manager = floor_manager_user()
    request = use_request_submit(actor=manager, reason="私事")
    with pytest.raises(PermissionDenied):
        use_request_decide(actor=manager, use_request=request, approve=True)


def test_a_request_is_decided_once():
    manager = floor_manager_user()
    request = use_request_submit(actor=front_desk_user(), reason="私事")
    use_request_decide(actor=manager, use_request=request, approve=False, comment="高峰时段")
    with pytest.raises(ValidationError) as error:
        use_request_decide(actor=manager, use_request=request, approve=True)
    assert "该申请已审批" in error.value.messages[0]


def test_a_request_needs_a_reason(client):
    client.force_login(front_desk_user())
    response = client.post(
        reverse("frontdesk:use_request_new"), {"reason": " ", "wanted_at": "2026-03-02T15:00", "minutes": 5}
    )
    assert (
        "这个字段是必填项。" in response.content.decode()
        or "请填写私用电话的事由。" in response.content.decode()
    )
    assert not UseRequest.objects.exists()


def test_employees_see_their_own_requests_and_the_floor_manager_sees_all(client):
    desk = front_desk_user()
    other = front_desk_user(username="fd-desk2", name="钱前台")
    use_request_submit(actor=desk, reason="孙的私事")
    use_request_submit(actor=other, reason="钱的私事")
    client.force_login(desk)
    own = client.get(reverse("frontdesk:use_request_list")).content.decode()
    assert "孙的私事" in own
    assert "钱的私事" not in own
    assert "办公室电话" in own
    client.force_login(floor_manager_user())
    everything = client.get(reverse("frontdesk:use_request_list")).content.decode()
    assert "孙的私事" in everything
    assert "钱的私事" in everything
    client.force_login(shift_leader_user())
    leader = client.get(reverse("frontdesk:use_request_list")).content.decode()
    assert "钱的私事" in leader
    assert 'data-testid="approve-' not in leader
