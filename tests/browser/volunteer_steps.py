"""Steps of a volunteer's way in that more than one browser test walks, typed and tapped as a person
does: the compound's registration form, and the login by a code by SMS."""

import re

from playwright.sync_api import expect


def fill_in_registration(phone):
    """The registration form open on `phone`, filled in as 张三 of 12-3-501 does: a driver, free in
    the mornings (not yet sent)."""
    expect(phone.get_by_role("heading", name=re.compile("志愿者报名"))).to_be_visible()
    phone.get_by_label("姓名").fill("张三")
    phone.get_by_label("手机号码").fill("139 1234 5678")
    phone.get_by_label("年龄").fill("35")
    phone.get_by_label("所住楼栋").select_option(label="12号楼")
    phone.get_by_label("房号").fill("3单元501室")
    phone.get_by_label("会开车").check()
    phone.get_by_label("上午").check()


def ask_for_a_code(phone, memory_sms, mobile="13912345678"):
    """From a page with the link to the login by code: the number typed, a code asked for, and the
    code the SMS brought typed in (not yet sent)."""
    phone.get_by_role("link", name="手机验证码登录").click()
    phone.get_by_label("手机号码").fill(mobile)
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_text(f"如果 {mobile[:3]}****{mobile[-4:]} 属于审核通过的志愿者")).to_be_visible()
    code = re.search(r"\d{6}", memory_sms.sent[-1][2]).group()
    phone.get_by_label("验证码").fill(code)
