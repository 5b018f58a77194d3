"""A volunteer from the poster to the phone's home page: staff open the compound's poster, a resident
registers by its link on a 360 px phone, staff approve, and the volunteer logs in with the code
the SMS brought, no password."""

import pytest
from playwright.sync_api import expect

from volunteers.models import Volunteer

from .conftest import (
    PHONE_WIDTH,
    assert_fits_the_phone,
    assert_no_small_tap_targets,
    log_in,
    path_of,
    small_tap_targets,
)
from .volunteer_steps import ask_for_a_code, fill_in_registration

pytestmark = pytest.mark.browser


def test_a_resident_registers_by_the_poster_s_link_is_approved_and_logs_in_by_code(
    world, open_page, screenshot, memory_sms
):
    desk = open_page("desktop")
    desk.goto("/accounts/login/")
    log_in(desk, "staff")
    desk.get_by_role("link", name="志愿者").click()
    desk.locator(".desk .compound", has_text="金杨新村").get_by_role("link", name="报名海报").click()
    link = desk.locator(".poster-link").inner_text()
    expect(desk.locator(".poster-code svg.qr-code")).to_be_visible()
    screenshot(desk, "volunteer-poster.png")

    phone = open_page("phone")
    phone.goto(link)
    fill_in_registration(phone)
    assert_fits_the_phone(phone)
    assert_no_small_tap_targets({path_of(phone): small_tap_targets(phone)})
    screenshot(phone, "volunteer-join.png")
    phone.get_by_role("button", name="提交报名").click()
    expect(phone.get_by_role("heading", name="感谢您报名当志愿者")).to_be_visible()
    assert Volunteer.objects.get().resident == world.resident

    desk.get_by_role("link", name="已报名的志愿者").click()
    desk.get_by_role("checkbox", name="张三").check()
    screenshot(desk, "volunteer-approval.png")
    desk.get_by_role("button", name="勾选的通过").click()
    expect(desk.get_by_text("已通过1名志愿者。")).to_be_visible()

    ask_for_a_code(phone, memory_sms)
    assert_fits_the_phone(phone)
    assert_no_small_tap_targets({path_of(phone): small_tap_targets(phone)})
    screenshot(phone, "volunteer-code-login.png")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("heading", name="我的楼栋")).to_be_visible()
    expect(phone.locator(".tile", has_text="12号楼")).to_be_visible()
    assert phone.viewport_size["width"] == PHONE_WIDTH
