"""A volunteer's whole day, walked through the pages on a 360 px phone and staff's desk: 张三 registers
by the compound's link, staff approve him, put him in the delivery group and stamp tomorrow's roster;
he logs in with a code by SMS and signs up for the morning shift; staff watch the roster fill, close
and publish it, and he sees tomorrow's shift. Next morning staff check him in at the gathering, and
his phone shows the shift checked in and his building's tasks: he takes the welfare check of 赵桂英,
who lives alone, and records that she did not answer; staff's pages show the alert at once."""

import datetime
import re
import time

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from volunteers import registration
from volunteers.models import Roster, Shift, Signup, Volunteer, WelfareCheck

from ..volunteers.shift_world import group, template
from .conftest import assert_fits_the_phone, assert_no_small_tap_targets, log_in, path_of, small_tap_targets
from .volunteer_steps import ask_for_a_code, fill_in_registration

pytestmark = pytest.mark.browser

ROSTER_POLL = 15_000  # ms: the roster page asks every ten seconds whether anyone signed up


def test_a_volunteer_s_day_from_the_compound_s_link_to_a_welfare_check(world, open_page, screenshot, memory_sms):
    wait_out_midnight()
    compound = world.building.compound
    place = registration.join_settings(compound)
    place.signup_closes_at = an_hour_from_now()
    place.save(update_fields=["signup_closes_at"])
    delivery = group(world, name="物资配送")
    template(world, delivery, name="上午配送", starts=(7, 0), ends=(11, 0), places=2, meeting_point="3号门")
    template(world, delivery, name="下午配送", starts=(14, 0), ends=(18, 0), places=2, meeting_point="3号门")
    small = {}  # the phone pages' tap targets under the size of a gloved finger, listed at the end

    def look(phone):
        """A phone page as it stands: no sideways scroll, its small tap targets noted."""
        assert_fits_the_phone(phone)
        small.setdefault(path_of(phone), []).extend(small_tap_targets(phone))

    # 1. A resident opens the compound's link on the poster and registers
    phone = open_page("phone")
    phone.goto(reverse("volunteers:join", args=[place.join_token]))
    fill_in_registration(phone)
    look(phone)
    phone.get_by_role("button", name="提交报名").click()
    expect(phone.get_by_role("heading", name="感谢您报名当志愿者")).to_be_visible()
    look(phone)

    # 2. Staff approve him, put him in the delivery group and stamp tomorrow's roster
    desk = open_page("desktop")
    desk.goto("/")
    log_in(desk, "staff")
    desk.locator(".mainnav").get_by_role("link", name="志愿者").click()
    row = desk.locator(".volunteers tbody tr", has_text="张三")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("金杨新村 12-3-501")
    expect(row).to_contain_text("已匹配登记册")
    row.get_by_role("checkbox", name="张三").check()
    desk.get_by_role("button", name="勾选的通过").click()
    expect(desk.get_by_text("已通过1名志愿者。")).to_be_visible()
    expect(row).to_contain_text("已通过")

    desk.locator(".desk").get_by_role("link", name="志愿者分组表").click()
    expect(desk.locator("section", has_text="已通过、尚未分组")).to_contain_text("张三（35）")
    desk.locator(".group-table").get_by_role("link", name="物资配送").click()
    expect(desk.get_by_role("heading", name="物资配送", exact=True)).to_be_visible()
    desk.locator(".candidates label", has_text="张三").check()
    screenshot(desk, "volunteer-group.png")
    desk.get_by_role("button", name="加入小组").click()
    expect(desk.get_by_text("已将1人加入小组。")).to_be_visible()
    expect(desk.locator(".members")).to_contain_text("张三")

    desk.get_by_role("link", name="志愿者分组表").click()
    printed_on_a4(desk)
    desk.get_by_role("link", name="班次模板").click()
    templates = desk.locator(".shift-templates tbody tr")
    expect(templates).to_have_count(2)
    expect(templates.first).to_contain_text("物资配送")
    expect(templates.first).to_contain_text("07:00–11:00")
    desk.get_by_role("link", name="金杨新村排班表").click()
    expect(desk.get_by_text("这一天还没有排班表")).to_be_visible()
    desk.get_by_role("button", name="生成这一天的班次").click()
    expect(desk.get_by_text("已按模板生成2个班次。")).to_be_visible()
    filled = desk.locator(".stat", has_text="已报名额")
    expect(filled).to_contain_text("0 / 4")
    roster = Roster.objects.get(compound=compound)
    assert roster.date == timezone.localdate() + datetime.timedelta(days=1)

    # 3. He logs in with the code the SMS brought, lands on today's page and signs up for tomorrow
    phone.goto("/")
    ask_for_a_code(phone, memory_sms)
    look(phone)
    phone.get_by_role("button", name="登录").click()
    assert path_of(phone) == "/v/"
    expect(phone.get_by_role("heading", name="今天")).to_contain_text("张三")
    expect(phone.get_by_text("今天没有排班。")).to_be_visible()
    look(phone)
    phone.get_by_role("link", name="明天的班次", exact=True).click()
    expect(phone.get_by_role("heading", name="明天的班次")).to_be_visible()
    expect(phone.get_by_text("接龙截止：")).to_be_visible()
    morning = phone.locator(".phone-shift", has_text="上午配送")
    expect(morning).to_contain_text("还剩2个名额")
    look(phone)
    morning.get_by_role("button", name="报名").click()
    expect(phone.locator(".message").first).to_contain_text("您已排上上午配送")
    expect(morning).to_contain_text("您已排上")
    expect(morning).to_contain_text("还剩1个名额")
    look(phone)
    screenshot(phone, "volunteer-sign-up.png")

    # 4. Staff's roster fills by itself; they close and publish it, and he sees tomorrow's shift
    expect(filled).to_contain_text("1 / 4", timeout=ROSTER_POLL)
    expect(desk.locator(".shift", has_text="上午配送").locator(".roster-table")).to_contain_text("张三")
    screenshot(desk, "roster-filling.png")
    desk.say_no = True  # a mis-tap: asked first, "no" changes nothing
    desk.get_by_role("button", name="截止接龙").click()
    assert "志愿者将不能再在手机上报名或退出" in desk.asked[-1]
    assert Roster.objects.get(pk=roster.pk).closed_at is None
    desk.get_by_role("button", name="截止接龙").click()
    expect(desk.get_by_text("接龙已截止：居委干部仍可调班。")).to_be_visible()
    desk.get_by_role("button", name="发布排班表").click()
    expect(desk.get_by_text("已发布：每位志愿者可在手机上看到自己的班次。")).to_be_visible()
    expect(desk.locator(".roster-state")).to_contain_text("staff于")

    phone.reload()
    expect(phone.locator(".assignment")).to_contain_text("明天您的班次：物资配送 · 上午配送，07:00–11:00。")
    expect(phone.locator(".assignment")).to_contain_text("3号门")
    expect(phone.get_by_text("接龙已于")).to_be_visible()
    expect(phone.get_by_role("button", name="报名")).to_have_count(0)
    look(phone)
    screenshot(phone, "volunteer-tomorrow.png")

    # 5. The night passes. The live server runs on the real clock, so rather than wait for it the
    # day of work comes to today: the roster and its shifts move one day earlier, nothing else.
    a_day = datetime.timedelta(days=1)
    Roster.objects.filter(pk=roster.pk).update(date=F("date") - a_day)
    Shift.objects.filter(roster=roster).update(starts_at=F("starts_at") - a_day, ends_at=F("ends_at") - a_day)

    # Staff offer the day's welfare checks and check him in at the gathering
    desk.locator(".mainnav").get_by_role("link", name="独居老人探访").click()
    desk.get_by_role("button", name="发布今天的探访").click()
    expect(desk.locator("table.welfare")).to_contain_text("赵桂英")
    desk.locator(".mainnav").get_by_role("link", name="志愿者").click()
    desk.locator(".desk .compound", has_text="金杨新村").get_by_role("link", name="早间签到").click()
    expect(desk.get_by_role("heading", name=f"签到：金杨新村，{timezone.localdate().isoformat()}")).to_be_visible()
    person = desk.locator(".checkin", has_text="张三")
    person.get_by_role("button", name="已到").click()
    expect(person).to_contain_text(re.compile(r"\d\d:\d\d签到"))
    person.get_by_role("button", name="今日已培训").click()
    expect(person.get_by_role("button", name="今日已培训")).to_have_class("toggle on")
    person.get_by_role("button", name="已发防护服").click()
    expect(person.get_by_role("button", name="已发防护服")).to_have_class("toggle on")
    expect(desk.locator(".stat", has_text="金杨新村当日已发防护服")).to_contain_text("1")
    screenshot(desk, "roster-check-in.png")
    desk.say_no = True  # a glove brushes 已到 again: asked first, the check-in stays
    person.get_by_role("button", name="已到").click()
    assert "撤销张三的签到" in desk.asked[-1]
    expect(person.get_by_role("button", name="已发防护服")).to_have_class("toggle on")
    signup = Signup.objects.get(volunteer__name="张三")
    assert (signup.checked_in_at is not None, signup.trained, signup.suit_issued) == (True, True, True)

    # 6. His phone shows the shift checked in and his building's tasks; he takes the check of
    # 赵桂英 and records that she did not answer
    phone.get_by_role("link", name="今天").click()
    shift = phone.locator(".shifts .shift")
    expect(shift).to_contain_text("上午配送 07:00–11:00")
    expect(shift).to_contain_text(re.compile(r"已于 \d\d:\d\d 签到"))
    welfare = phone.locator("li.task", has_text="赵桂英")
    expect(phone.locator("li.task")).to_have_count(1)
    welfare.get_by_role("button", name="领取").click()
    expect(phone.locator(".message").first).to_contain_text("您已领取")
    expect(welfare).to_contain_text("您已领取")
    look(phone)
    screenshot(phone, "volunteer-checked-in.png")
    welfare.get_by_role("link", name="记录探访").click()
    expect(phone.locator(".card.call")).to_contain_text("独居老人")
    look(phone)
    phone.get_by_role("button", name="无人应答").click()
    assert path_of(phone) == "/v/"
    expect(phone.locator(".message").first).to_contain_text("赵桂英：无人应答")
    expect(phone.get_by_text("您负责的楼栋今天没有待办任务了。")).to_be_visible()
    look(phone)
    check = WelfareCheck.objects.get(resident__name="赵桂英")
    assert (check.outcome, check.checked_by.volunteer) == (WelfareCheck.Outcome.NO_ANSWER, Volunteer.objects.get())

    # Staff's next page carries the alert
    desk.reload()
    expect(desk.locator(".alert-banner")).to_contain_text("1 个探访需要您处理")
    assert_no_small_tap_targets(small)


def wait_out_midnight(margin=datetime.timedelta(minutes=3)):
    """The walk's evening is today and its morning tomorrow: begun just before midnight, it waits
    for the date to turn rather than see "tomorrow" change under it."""
    now = timezone.localtime()
    midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(), now.tzinfo)
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 1)


def an_hour_from_now() -> datetime.time:
    """A cut-off for tomorrow's sign-up still ahead whenever the test runs: an hour from now, or
    just before midnight when that is sooner."""
    now = timezone.localtime()
    later = now + datetime.timedelta(hours=1)
    return later.time().replace(second=0, microsecond=0) if later.date() == now.date() else datetime.time(23, 59)


def printed_on_a4(desk):
    """The group table's sheet as it prints on A4 (about 700 px wide): no buttons, no banner, and
    each name, age and mobile number on one line."""
    desk.get_by_role("link", name="打印版").click()
    desk.emulate_media(media="print")
    desk.set_viewport_size({"width": 700, "height": 990})
    try:
        expect(desk.locator(".heading .actions")).to_be_hidden()
        lines = desk.locator(".group-table td.person").evaluate_all(
            """cells => cells.map(cell => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
            })"""
        )
        assert lines
        assert set(lines) == {1}, lines
    finally:
        desk.emulate_media(media="screen")
        desk.set_viewport_size({"width": 1280, "height": 800})
        desk.go_back()
