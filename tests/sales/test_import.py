import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from apps.sales import services
from apps.sales.models import Call, CallImport
from apps.sales.selectors import quota_day_live

from .factories import make_rep, make_supervisor

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
MONDAY = datetime.date(2026, 3, 2)

HEADER = "分机号,被叫号码,开始时间,通话时长(秒),状态,呼叫编号\n"
GOOD = HEADER + (
    "8201,13800138000,2026-03-02 09:00:00,45,ANSWERED,c1\n"
    "8201,010-12345678,2026-03-02 09:05:00,20,ANSWERED,c2\n"
    "8201,13800138002,2026-03-02 09:10:00,0,NO ANSWER,c3\n"
    "8202,13800138003,2026-03-02 09:15:00,95,ANSWERED,c4\n"
)


@pytest.fixture
def reps():
    supervisor = make_supervisor()
    return (
        supervisor,
        make_rep(username="liu", supervisor=supervisor, extension="8201"),
        make_rep(username="huang", supervisor=supervisor, extension="8202"),
    )


def run(text, name="cdr.csv", actor=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return services.call_records_import(actor=actor, file=io.BytesIO(data), file_name=name)


def test_good_file_is_matched_to_reps_by_extension(reps):
    supervisor, liu, huang = reps
    report = run(GOOD, actor=supervisor)
    assert (report.rows, report.created, report.duplicates) == (4, 4, 0)
    assert Call.objects.filter(rep=liu).count() == 3
    assert Call.objects.filter(rep=huang).count() == 1
    assert quota_day_live(rep=liu, day=MONDAY).effective_calls == 1  # 20 s is too short, one not answered
    assert all(c.verified and c.source == "cdr" for c in Call.objects.all())


def test_importing_the_same_records_again_skips_the_duplicates(reps):
    run(GOOD)
    report = run(GOOD + "8202,13800138009,2026-03-02 10:00:00,60,ANSWERED,c5\n")
    assert (report.created, report.duplicates) == (1, 4)
    assert Call.objects.count() == 5


def test_rows_without_a_call_id_are_recognised_by_extension_number_and_time(reps):
    text = "分机号,被叫号码,开始时间,通话时长(秒)\n8201,13800138000,2026-03-02 09:00:00,45\n"
    run(text)
    assert run(text).duplicates == 1
    assert Call.objects.count() == 1


def test_an_unknown_extension_or_bad_row_imports_nothing_and_lists_every_row(reps):
    text = GOOD + (
        "9999,13800138000,2026-03-02 09:00:00,45,ANSWERED,c9\n"
        "8201,13800138000,昨天,45,ANSWERED,c10\n"
        "8201,13800138000,2026-03-02 09:00:00,abc,ANSWERED,c11\n"
    )
    with pytest.raises(services.ImportFailed) as info:
        run(text)
    errors = [str(e) for e in info.value.errors]
    assert len(errors) == 3
    assert errors[0].startswith(("Row 6", "第 6 行"))
    assert "9999" in errors[0]
    assert Call.objects.count() == 0
    assert CallImport.objects.count() == 0


def test_missing_columns_are_named(reps):
    with pytest.raises(services.ImportFailed) as info:
        run("分机号,被叫号码\n8201,13800138000\n")
    assert "开始时间" in str(info.value.errors[0])


def test_excel_file_is_read_like_csv(reps):
    book = Workbook()
    sheet = book.active
    sheet.append(["分机号", "被叫号码", "开始时间", "通话时长(秒)", "状态"])
    sheet.append(
        [
            8201,
            "13800138000",
            datetime.datetime(2026, 3, 2, 9, 0),  # noqa: DTZ001 - Excel has no time zone
            61,
            "ANSWERED",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(buffer.getvalue(), name="cdr.xlsx")
    assert report.created == 1
    call = Call.objects.get()
    assert timezone.localtime(call.started_at).hour == 9
    assert call.talk_seconds == 61


def test_other_extensions_are_refused(reps):
    with pytest.raises(services.ImportFailed):
        run("a,b", name="cdr.txt")


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=TZ), tick=False)
def test_a_hand_logged_call_is_confirmed_by_its_call_record_not_counted_twice(reps):
    _supervisor, liu, _huang = reps
    services.call_log(
        actor=liu,
        rep=liu,
        number="138-0013-8000",
        started_at=datetime.datetime(2026, 3, 2, 9, 2, tzinfo=TZ),
        talk_seconds=50,
        outcome="conversation",
        notes="有意向",
    )
    assert Call.objects.get().verified is False
    report = run(GOOD)
    assert report.confirmed == 1
    manual = Call.objects.get(notes="有意向")
    assert manual.verified
    assert manual.talk_seconds == 45
    assert Call.objects.filter(rep=liu).count() == 3


def test_command_imports_a_file_and_fails_cleanly(reps, tmp_path):
    good = tmp_path / "cdr.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_call_records", str(good), stdout=out)
    assert "4 calls added" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "7777,13800138000,2026-03-02 09:00:00,45,ANSWERED,z\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_call_records", str(bad), stderr=err)
    assert "7777" in err.getvalue()


def test_gb18030_csv_from_a_chinese_pbx_is_read(reps):
    assert run(GOOD.encode("gb18030")).created == 4


def test_the_downloaded_template_imports_as_is(client, reps):
    supervisor, liu, _huang = reps
    client.force_login(supervisor)
    response = client.get("/sales/calls/import/template.xlsx")
    assert response.status_code == 200
    report = run(response.content, name="template.xlsx")
    assert report.created == 1
    assert Call.objects.get().rep == liu


def test_calls_of_staff_who_are_not_sales_reps_are_skipped(reps):
    from tests.factories import UserFactory

    UserFactory(username="frontdesk", extension="8300")
    report = run(GOOD + "8300,13800138000,2026-03-02 09:00:00,45,ANSWERED,fd1\n")
    assert (report.created, report.other_staff) == (4, 1)


def test_campus_generator_adds_reps_with_a_month_of_calls_once():
    from apps.accounts.models import User

    out = io.StringIO()
    call_command("generate_sales_campus", reps=2, month="2026-02", calls_per_day=30, stdout=out)
    assert User.objects.filter(username__startswith="campus-rep-", groups__name="sales_rep").count() == 2
    calls = Call.objects.count()
    assert 2 * 24 * 5 <= calls <= 2 * 24 * 55  # 24 working days in February 2026
    call_command("generate_sales_campus", reps=2, month="2026-02", stdout=io.StringIO())
    assert Call.objects.count() == calls
