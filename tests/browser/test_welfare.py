"""A morning's welfare check on a 360 px phone: the volunteer lands on today's tasks, takes a parcel,
records that 赵桂英, who lives alone, did not answer; staff see the alert at once on their pages and
mark it handled."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from volunteers import task_list
from volunteers.models import WelfareCheck
from volunteers.welfare import welfare_checks_offer

from ..volunteers.phone_world import make_volunteer
from .conftest import assert_fits_the_phone, assert_no_small_tap_targets, log_in, path_of, small_tap_targets

pytestmark = pytest.mark.browser


def test_a_welfare_check_recorded_on_a_phone_alerts_staff_until_handled(world, open_page, screenshot):
    make_volunteer(world, [world.building], name="王小明", username="wangxm")
    welfare_checks_offer(date=timezone.localdate())
    task_list.task_offer(
        kind="parcel",
        source_key="parcel-1",
        title="送快递到12-1-101",
        building=world.building,
        place="12-1-101",
        due_at=timezone.now() + datetime.timedelta(hours=1),
    )
    check = WelfareCheck.objects.get(resident__name="赵桂英")

    phone = open_page("phone")
    phone.goto("/")
    log_in(phone, "wangxm")
    assert path_of(phone) == "/v/"
    expect(phone.locator("li.task")).to_have_count(2)
    small = {"/v/": small_tap_targets(phone)}
    assert_fits_the_phone(phone)
    screenshot(phone, "volunteer-today.png")

    parcel = phone.locator("li.task", has_text="送快递")
    with phone.expect_navigation():
        parcel.get_by_role("button", name="领取").click()
    expect(phone.locator(".message").first).to_contain_text("您已领取“送快递到12-1-101”")
    expect(phone.locator("li.task", has_text="送快递")).to_contain_text("您已领取")

    with phone.expect_navigation():
        phone.locator("li.task", has_text="赵桂英").get_by_role("link", name="记录探访").click()
    assert path_of(phone) == f"/v/welfare/{check.pk}/"
    expect(phone.locator(".card.call")).to_contain_text("独居老人")
    expect(phone.locator(".card.call")).to_contain_text("80岁以上")
    small[path_of(phone)] = small_tap_targets(phone)
    assert_fits_the_phone(phone)
    screenshot(phone, "volunteer-welfare-check.png")
    with phone.expect_navigation():
        phone.get_by_role("button", name="无人应答").click()
    assert path_of(phone) == "/v/"
    expect(phone.locator(".message").first).to_contain_text("赵桂英：无人应答")
    expect(phone.locator("li.task")).to_have_count(1)
    phone.goto(f"/v/tasks/{check.task_id}/")
    small[path_of(phone)] = small_tap_targets(phone)
    assert_fits_the_phone(phone)
    assert_no_small_tap_targets(small)

    desk = open_page("desktop")
    desk.goto("/")
    log_in(desk, "staff")
    banner = desk.locator(".alert-banner")
    expect(banner).to_contain_text("1 个探访需要您处理")
    with desk.expect_navigation():
        banner.click()
    row = desk.locator(f"#check-{check.pk}")
    expect(row).to_contain_text("无人应答")
    expect(row).to_contain_text("王小明")
    screenshot(desk, "welfare-checks-staff.png")
    with desk.expect_navigation():
        row.get_by_role("button", name="标记已处理").click()
    expect(desk.locator(f"#check-{check.pk}")).to_contain_text("staff 已于")
    expect(desk.locator(".alert-banner")).to_have_count(0)
