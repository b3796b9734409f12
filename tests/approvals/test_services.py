import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.approvals import selectors, services
from apps.approvals.models import AdjustmentRecord, FunctionChange, FunctionChangeEvent, TargetScope
from apps.core.models import Notification
from tests.factories import UserFactory

from .factories import chief, engineer, make_request, request_values

pytestmark = pytest.mark.django_db
S = FunctionChange.Status


def zh(exc) -> str:
    with translation.override("zh-hans"):
        return " ".join(str(m) for m in exc.messages)


def test_full_lifecycle_records_every_transition_with_who_and_comment():
    eng, boss = engineer(), chief()
    change = services.function_change_create(actor=eng, **request_values())
    change = services.function_change_submit(actor=eng, change=change, comment="请审批")
    change = services.function_change_approve(actor=boss, change=change, comment="同意")
    change = services.function_change_implement(actor=eng, change=change, notes="已改")
    change = services.function_change_verify(actor=boss, change=change, comment="已验证")
    assert change.status == S.VERIFIED
    events = list(change.events.values_list("action", "from_status", "to_status", "actor_id", "comment"))
    assert events == [
        ("created", "", "draft", eng.pk, ""),
        ("submitted", "draft", "submitted", eng.pk, "请审批"),
        ("approved", "submitted", "approved", boss.pk, "同意"),
        ("implemented", "approved", "implemented", eng.pk, "已改"),
        ("verified", "implemented", "verified", boss.pk, "已验证"),
    ]
    assert change.decided_by == boss
    assert change.verified_by == boss
    assert change.implemented_by == eng


def test_nobody_approves_their_own_request():
    boss = chief()
    change = make_request(requester=boss, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied) as exc:
        services.function_change_approve(actor=boss, change=change)
    with translation.override("zh-hans"):
        assert "不能审批自己" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.function_change_reject(actor=boss, change=change, comment="x")
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    assert change.decided_by is None


def test_database_refuses_a_self_decision_written_around_the_services():
    boss = chief()
    change = make_request(requester=boss, status=S.SUBMITTED)
    with pytest.raises(IntegrityError):
        FunctionChange.objects.filter(pk=change.pk).update(decided_by=boss)


def test_database_refuses_an_implemented_request_without_approver():
    change = make_request(requester=engineer(), status=S.SUBMITTED)
    with pytest.raises(IntegrityError):
        FunctionChange.objects.filter(pk=change.pk).update(
            status=S.IMPLEMENTED, implemented_by=change.requester, implemented_at=timezone.now()
        )


def test_engineer_may_not_approve():
    change = make_request(requester=engineer(), status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.function_change_approve(actor=engineer(), change=change)


def test_rejection_needs_a_comment():
    change = make_request(requester=engineer(), status=S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.function_change_reject(actor=chief(), change=change, comment="  ")
    assert "驳回" in zh(exc.value)


def test_editing_after_submission_resets_to_pending_and_keeps_the_decided_version():
    eng, boss = engineer(), chief()
    change = make_request(requester=eng, status=S.APPROVED, approver=boss)
    approved_revision = change.decided_revision
    assert selectors.function_change_is_approved(request_id=change.pk)

    change = services.function_change_update(actor=eng, change=change, wanted_value="完全禁止外线")

    assert change.status == S.SUBMITTED
    assert change.revision == 2
    assert change.decided_by is None
    assert change.decided_revision is None
    assert not selectors.function_change_is_approved(request_id=change.pk)
    # What was approved is still there, attached to the approval event.
    approval = change.events.get(action=FunctionChangeEvent.Action.APPROVED)
    assert approval.revision == approved_revision
    assert approval.revision.data["wanted_value"] == "仅市话"
    assert change.events.last().action == FunctionChangeEvent.Action.RESUBMITTED
    # The approvers are asked again.
    assert Notification.objects.filter(recipient=boss, title__contains="再次").exists()

    change = services.function_change_approve(actor=boss, change=change, revision=2)
    assert change.decided_revision.number == 2
    assert change.decided_revision.data["wanted_value"] == "完全禁止外线"


def test_editing_a_draft_or_rejected_request_keeps_its_state():
    eng = engineer()
    draft = make_request(requester=eng)
    draft = services.function_change_update(actor=eng, change=draft, title="新标题")
    assert draft.status == S.DRAFT
    assert draft.revision == 0
    rejected = make_request(requester=eng, status=S.REJECTED)
    rejected = services.function_change_update(actor=eng, change=rejected, wanted_value="改后")
    assert rejected.status == S.REJECTED
    rejected = services.function_change_submit(actor=eng, change=rejected)
    assert rejected.status == S.SUBMITTED
    assert rejected.revision == 2
    assert rejected.decided_by is None


def test_a_decision_on_a_version_the_approver_did_not_read_is_refused():
    eng = engineer()
    change = make_request(requester=eng, status=S.SUBMITTED)
    services.function_change_update(actor=eng, change=change, wanted_value="别的")
    with pytest.raises(ValidationError) as exc:
        services.function_change_approve(actor=chief(), change=change, revision=1)
    assert "版本 2" in zh(exc.value)


def test_only_the_requester_edits():
    change = make_request(requester=engineer(), status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.function_change_update(actor=engineer(), change=change, title="x")


def test_implementing_before_approval_is_refused_with_a_clear_message():
    eng = engineer()
    change = make_request(requester=eng, status=S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        services.function_change_implement(actor=eng, change=change)
    assert "尚未经总工批准" in zh(exc.value) or "未经总工批准" in zh(exc.value)
    change.refresh_from_db()
    assert change.status == S.SUBMITTED
    assert not AdjustmentRecord.objects.exists()


def test_implementing_writes_the_adjustment_record_from_what_was_approved():
    eng = engineer()
    change = make_request(requester=eng, status=S.APPROVED)
    when = timezone.now() - datetime.timedelta(minutes=1)
    change = services.function_change_implement(
        actor=eng, change=change, implemented_at=when, notes="拨测正常"
    )
    record = AdjustmentRecord.objects.get()
    assert record.request == change
    assert record.source == AdjustmentRecord.Source.REQUEST
    assert (record.before_value, record.after_value) == ("国内长途", "仅市话")
    assert record.target_extensions == "8101, 8102"
    assert record.performed_by == eng
    assert record.performed_at == when
    assert record.notes == "拨测正常"


def test_a_request_cannot_be_implemented_twice():
    eng = engineer()
    change = make_request(requester=eng, status=S.IMPLEMENTED)
    with pytest.raises(ValidationError) as exc:
        services.function_change_implement(actor=engineer(), change=change)
    assert "已经实施" in zh(exc.value)
    assert AdjustmentRecord.objects.count() == 1


def test_implementation_time_in_the_future_is_refused():
    eng = engineer()
    change = make_request(requester=eng, status=S.APPROVED)
    with pytest.raises(ValidationError) as exc:
        services.function_change_implement(
            actor=eng, change=change, implemented_at=timezone.now() + datetime.timedelta(hours=2)
        )
    assert "implemented_at" in exc.value.message_dict


def test_withdraw_before_implementation_only():
    eng = engineer()
    for status in (S.DRAFT, S.SUBMITTED, S.APPROVED, S.REJECTED):
        change = make_request(requester=eng, status=status)
        assert services.function_change_withdraw(actor=eng, change=change).status == S.WITHDRAWN
    done = make_request(requester=eng, status=S.IMPLEMENTED)
    with pytest.raises(ValidationError):
        services.function_change_withdraw(actor=eng, change=done)
    with pytest.raises(PermissionDenied):
        services.function_change_withdraw(actor=engineer(), change=make_request(requester=eng))


def test_verification_by_requester_or_chief_engineer_only():
    eng = engineer()
    change = make_request(requester=eng, status=S.IMPLEMENTED, implementer=engineer())
    with pytest.raises(PermissionDenied):
        services.function_change_verify(actor=engineer(), change=change)
    assert services.function_change_verify(actor=eng, change=change).status == S.VERIFIED


def test_submit_notifies_everyone_who_may_approve_and_decision_notifies_the_requester():
    eng = engineer()
    boss, deputy = chief(), chief()
    other = engineer()
    change = make_request(requester=eng, status=S.SUBMITTED)
    notified = set(Notification.objects.values_list("recipient_id", flat=True))
    assert notified == {boss.pk, deputy.pk}
    note = Notification.objects.filter(recipient=boss).get()
    assert change.code in note.title
    assert note.url == change.get_absolute_url()
    Notification.objects.all().delete()
    services.function_change_reject(actor=boss, change=change, comment="窗口不合适")
    note = Notification.objects.get()
    assert note.recipient == eng
    assert "驳回" in note.title
    assert "窗口不合适" in note.body
    assert other.notifications.count() == 0


def test_submit_does_not_notify_the_requester_who_is_an_approver():
    boss, deputy = chief(), chief()
    make_request(requester=boss, status=S.SUBMITTED)
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [deputy.pk]


def test_bad_extension_number_names_the_field_and_the_number():
    with pytest.raises(ValidationError) as exc:
        services.function_change_create(actor=engineer(), **request_values(target_extensions="8101, 81A2"))
    assert "81A2" in zh(exc.value)
    assert "target_extensions" in exc.value.message_dict
    assert not FunctionChange.objects.exists()


def test_pbx_target_needs_a_pbx_name_and_window_must_be_ordered():
    eng = engineer()
    with pytest.raises(ValidationError) as exc:
        services.function_change_create(actor=eng, **request_values(target_scope=TargetScope.PBX))
    assert "target_pbx" in exc.value.message_dict
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.function_change_create(
            actor=eng, **request_values(planned_start=start, planned_end=start - datetime.timedelta(hours=1))
        )
    assert "planned_end" in exc.value.message_dict


def test_requester_role_may_not_create_requests():
    with pytest.raises(PermissionDenied):
        services.function_change_create(actor=UserFactory(roles=[Role.REQUESTER]), **request_values())


def test_selectors_for_work_orders():
    eng = engineer()
    approved = make_request(requester=eng, status=S.APPROVED)
    pending = make_request(requester=eng, status=S.SUBMITTED)
    done = make_request(requester=eng, status=S.IMPLEMENTED)
    assert selectors.function_change_is_approved(request_id=approved.pk)
    assert selectors.function_change_is_approved(request_id=done.pk)
    assert not selectors.function_change_is_approved(request_id=pending.pk)
    assert not selectors.function_change_is_approved(request_id=999999)
    assert not selectors.function_change_is_approved(request_id="x")
    assert selectors.function_change_get(request_id=approved.pk) == approved
    assert selectors.function_change_get(request_id=999999) is None
    assert (
        selectors.function_change_get(request_id=approved.pk, user=UserFactory(roles=[Role.REQUESTER]))
        is None
    )
    assert approved in selectors.function_change_linkable()


def test_manual_adjustment_record():
    eng = engineer()
    record = services.adjustment_record_create(
        actor=eng,
        kind="other",
        what="调整振铃音量",
        target_scope=TargetScope.EXTENSIONS,
        target_extensions="8001",
        before_value="3",
        after_value="5",
        reason="听不到",
        performed_at=timezone.now(),
    )
    assert record.source == AdjustmentRecord.Source.MANUAL
    assert record.request is None
    with pytest.raises(PermissionDenied):
        services.adjustment_record_create(
            actor=UserFactory(roles=[Role.ADMINISTRATOR]),
            kind="other",
            what="x",
            target_scope=TargetScope.SYSTEM,
            before_value="a",
            after_value="b",
            reason="c",
            performed_at=timezone.now(),
        )


def test_implementation_tells_the_requester_and_the_approver_to_verify():
    eng, boss, other = engineer(), chief(), engineer()
    change = make_request(requester=eng, status=S.APPROVED, approver=boss)
    Notification.objects.all().delete()
    services.function_change_implement(actor=other, change=change)
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {eng.pk, boss.pk}
    assert "待验证" in Notification.objects.filter(recipient=eng).get().title


def test_withdrawal_by_the_chief_engineer_tells_the_requester():
    eng, boss = engineer(), chief()
    change = make_request(requester=eng, status=S.SUBMITTED)
    Notification.objects.all().delete()
    services.function_change_withdraw(actor=boss, change=change, comment="与机房检修冲突")
    note = Notification.objects.get()
    assert note.recipient == eng
    assert "与机房检修冲突" in note.body
