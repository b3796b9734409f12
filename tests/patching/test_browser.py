import pytest

from apps.patching.models import Jumper
from tests.browser import login

from .factories import Plant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick(page, field, typed, wanted):
    control = page.locator(f"#id_{field}-ts-control")
    control.click()
    control.fill(typed)
    page.locator("[data-testid=typeahead-option]", has_text=wanted).first.click()


def test_an_engineer_connects_finds_traces_and_disconnects_a_jumper(live_server, page):
    plant = Plant(size=10)
    plant.add_phone(1)
    from apps.patching import services

    services.extension_assign(
        number="8004", user_name="冯工", port="PBX-1/1-02-04", outlet="A-1203-4", actor=plant.actor
    )
    services.jumper_connect(
        terminal_a="IDF-A01/V01/04", terminal_b="IDF-A01/H01/04", actor=plant.actor, reason="装机"
    )
    login(page, live_server, plant.actor.username)

    page.goto(f"{live_server.url}/patching/jumpers/")
    _pick(page, "connect-terminal_a", "MDF-1/H01/0", "MDF-1/H01/04")
    _pick(page, "connect-terminal_b", "MDF-1/V01/0", "MDF-1/V01/04")
    page.fill("#id_connect-reason", "装机")
    page.fill("#id_connect-reference", "WO-42")
    page.click("[data-testid=connect-submit]")
    page.wait_for_selector("text=已跳接 MDF-1/H01/04 与 MDF-1/V01/04")
    assert Jumper.objects.filter(terminal_a__designation="MDF-1/H01/04").exists()

    page.goto(f"{live_server.url}/patching/")
    page.fill("#id_q", "8004")
    page.click("[data-testid=filter-submit]")
    row = page.locator("[data-testid=row-8004]")
    assert "MDF-1/V01/04" in row.inner_text()
    assert "R-01/04" in row.inner_text()

    row.locator("a", has_text="8004").click()
    page.wait_for_selector("[data-testid=trace-complete]")
    assert "A-1203-4" in page.locator("[data-testid=trace]").inner_text()

    page.goto(f"{live_server.url}/patching/jumpers/")
    _pick(page, "disconnect-terminal", "MDF-1/V01/04", "MDF-1/V01/04")
    page.fill("#id_disconnect-reason", "拆机")
    page.click("[data-testid=disconnect-submit]")
    page.wait_for_selector("text=已拆除 MDF-1/V01/04 上的跳线")
    assert not Jumper.objects.filter(terminal_a__designation="MDF-1/H01/04").exists()


def test_an_engineer_reserves_picked_terminals_and_a_range_then_releases_them(live_server, page):
    from apps.patching.models import Terminal

    plant = Plant(size=10)
    plant.add_phone(1)
    login(page, live_server, plant.actor.username)

    page.goto(f"{live_server.url}/patching/frames/MDF-1/")
    page.click("[data-testid=reservations-link]")
    _pick(page, "reserve-terminals", "MDF-1/V01/0", "MDF-1/V01/02")
    control = page.locator("#id_reserve-terminals-ts-control")
    control.fill("MDF-1/V01/5-7")
    control.press("Enter")
    page.fill("#id_reserve-reference", "WO-77")
    page.click("[data-testid=reserve-submit]")
    page.wait_for_selector("text=已为 WO-77 预留：MDF-1/V01/02, MDF-1/V01/05-07。")
    reserved = Terminal.objects.exclude(reserved_reference="").order_by("designation")
    assert list(reserved.values_list("designation", flat=True)) == [
        "MDF-1/V01/02",
        "MDF-1/V01/05",
        "MDF-1/V01/06",
        "MDF-1/V01/07",
    ]

    page.locator("[data-testid='reserved-MDF-1/V01/05'] input[type=checkbox]").check()
    page.locator("[data-testid='reserved-MDF-1/V01/06'] input[type=checkbox]").check()
    page.click("[data-testid=release-selected]")
    page.wait_for_selector("text=已释放预留：MDF-1/V01/05-06。")
    assert reserved.count() == 2

    # a jumpered terminal cannot be reserved: the page says which, and nothing changes
    _pick(page, "reserve-terminals", "MDF-1/V01/0", "MDF-1/V01/03")
    control = page.locator("#id_reserve-terminals-ts-control")
    control.fill("MDF-1/V01/01")
    control.press("Enter")
    page.fill("#id_reserve-reference", "WO-78")
    page.click("[data-testid=reserve-submit]")
    page.wait_for_selector("text=MDF-1/V01/01 已与 MDF-1/H01/01 跳接")
    assert reserved.count() == 2
