"""Changing one's own password: reached from the top bar of either layout, every mistake said in
Chinese, the new password in use at once and this session kept."""

import html
import re

import pytest
from django.urls import reverse

from households.models import Role

PASSWORD = "pw-for-tests-123"
NEW = "Lanterns-on-Jinyang-7"


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def change(client, old=PASSWORD, new1=NEW, new2=None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2}
    return client.post(reverse("password_change"), data)


def errors_of(response):
    """The errors the page shows (the form's own are lazy, and read in the test's language)."""
    assert response.status_code == 200, "the change went through"
    return [html.unescape(error) for error in re.findall(r'<p class="error" role="alert">(.*?)</p>', response.text)]


@pytest.mark.parametrize(
    ("role", "layout"), [(Role.COMMITTEE_STAFF, "staff"), (Role.BUILDING_LEADER, "mobile"), (Role.VOLUNTEER, "mobile")]
)
def test_the_top_bar_of_either_layout_leads_to_the_page_in_that_layout(client, world, chinese, role, layout):
    client.force_login(world.users[role])
    url = reverse("password_change")

    home = client.get(reverse("households:search")).content.decode()
    page = client.get(url)

    assert f'<a class="password" href="{url}">修改密码</a>' in home
    assert page.status_code == 200
    assert page.context["layout_template"] == f"layouts/{layout}.html"
    html = page.content.decode()
    assert f'<body class="{layout}">' in html
    assert "当前密码" in html
    assert 'autocomplete="new-password"' in html


def test_a_wrong_current_password_is_said_in_chinese_and_changes_nothing(client, world, chinese):
    staff = world.users[Role.COMMITTEE_STAFF]
    client.force_login(staff)

    response = change(client, old="not-my-password")

    assert response.status_code == 200
    assert errors_of(response) == ["当前密码不对。请重新输入，密码区分大小写。"]
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_two_different_new_passwords_are_said_in_chinese(client, world, chinese):
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = change(client, new2=NEW + "x")

    assert errors_of(response) == ["两次输入的新密码不一样。请把同一个新密码输入两遍。"]


@pytest.mark.parametrize(
    ("new", "error"),
    [
        ("Ab3-x", "新密码太短：至少要 8 个字符。"),
        ("58001234", "新密码只有数字，请加上字母或符号。"),
        ("password123", "新密码是最常见的密码之一，最容易被猜中，请换一个。"),
        ("leader12", "新密码和您的用户名太像了。"),
    ],
)
def test_a_weak_new_password_is_refused_in_chinese(client, world, chinese, new, error):
    leader = world.users[Role.BUILDING_LEADER]
    client.force_login(leader)

    response = change(client, new1=new)

    assert error in errors_of(response)
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)


def test_the_new_password_works_at_once_and_this_session_stays_logged_in(client, world, chinese):
    leader = world.users[Role.BUILDING_LEADER]
    client.force_login(leader)

    response = change(client)
    done = client.get(response.url)

    assert response.url == reverse("password_change_done")
    assert "密码已修改" in done.content.decode()
    assert done.context["user"] == leader
    assert client.get(reverse("home")).status_code == 200
    leader.refresh_from_db()
    assert leader.check_password(NEW)
    client.logout()
    assert client.post(reverse("login"), {"username": "leader", "password": NEW}).status_code == 302


def test_the_page_asks_a_visitor_to_log_in(client, world):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
