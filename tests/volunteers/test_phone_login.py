"""Logging in on a phone with a code by SMS: sent only to accounts with a role, the same answer for
any number, kept hashed, used once, five wrong tries end it, limits on asking, and django-axes
locking out wrong codes as it does wrong passwords."""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from households.models import Role
from lockdown.core import sms
from tests.households.factories import UserFactory
from tests.volunteers.joining import VolunteerFactory, an_address, memory_gateway, own_cache  # noqa: F401 (fixtures)
from volunteers import approval, phone_login

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"
gateway = sms.MemoryBackend  # what the memory gateway sent, in this test (joining.memory_gateway)
ANSWER = "If 139****5678 belongs to an approved volunteer, a code has been sent to it by text message."


@pytest.fixture
def volunteer(world):
    """An approved volunteer of building 12, with the account approval gave them."""
    registered = VolunteerFactory(building=world.building, mobile=MOBILE, name="张三")
    return approval.volunteer_approve(actor=world.users[Role.COMMITTEE_STAFF], volunteer=registered).user


def ask_code(client, mobile="139 1234 5678", address=None):
    return client.post(reverse("volunteers:phone_login"), {"mobile": mobile}, REMOTE_ADDR=address or an_address())


def give_code(client, code):
    return client.post(reverse("volunteers:phone_login_code"), {"code": code})


def sent_code(mobile=MOBILE):
    texts = [text for _ref, phone, text in gateway.sent if phone == mobile]
    return re.search(r"\d{6}", texts[-1]).group() if texts else None


def test_the_login_page_links_to_the_login_by_code(client):
    page = client.get(reverse("login"))

    assert reverse("volunteers:phone_login") in page.content.decode()


def test_an_approved_volunteer_logs_in_with_the_code_sent_by_sms_and_lands_home(client, volunteer):
    asked = ask_code(client)
    code_page = client.get(asked.url)
    logged_in = give_code(client, sent_code())

    assert asked.url == reverse("volunteers:phone_login_code")
    assert ANSWER in code_page.content.decode()
    assert gateway.sent[0][2] == f"【居委会】您的登录验证码为{sent_code()}，10分钟内有效，请勿告诉他人。"
    assert logged_in.url == reverse("home")
    day = client.get(reverse("home"), follow=True)  # a volunteer's home is their day's page
    assert day.redirect_chain == [(reverse("volunteers:today"), 302)]
    assert day.context["user"] == volunteer
    assert [building.pk for building in day.context["buildings"]] == [volunteer.volunteer.building_id]


@pytest.mark.parametrize("who", ["nobody", "no_role", "inactive"])
def test_a_number_without_an_active_account_with_a_role_gets_the_same_answer_and_no_text(client, world, who):
    if who == "no_role":
        UserFactory(mobile=MOBILE)
    elif who == "inactive":
        UserFactory(mobile=MOBILE, is_active=False).role_assignments.create(
            role=Role.VOLUNTEER, building=world.building
        )

    asked = ask_code(client)
    code_page = client.get(asked.url)

    assert asked.url == reverse("volunteers:phone_login_code")
    assert ANSWER in code_page.content.decode()
    assert gateway.sent == []


@pytest.mark.parametrize("role", [Role.STREET_ADMIN, Role.COMMITTEE_STAFF, Role.ZONE_LEADER])
def test_staff_and_admins_get_no_code_even_when_they_also_volunteer(client, world, role):
    account = world.users[role]
    account.mobile = MOBILE
    account.save(update_fields=["mobile"])
    account.role_assignments.create(role=Role.VOLUNTEER, building=world.building)

    asked = ask_code(client)

    assert ANSWER in client.get(asked.url).content.decode()
    assert gateway.sent == []


def test_a_building_leader_gets_a_code_and_logs_in(client, world):
    leader = world.users[Role.BUILDING_LEADER]
    leader.mobile = MOBILE
    leader.save(update_fields=["mobile"])

    ask_code(client)
    logged_in = give_code(client, sent_code())

    assert logged_in.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == leader


def test_the_code_is_kept_hashed_not_as_sent(client, volunteer):
    ask_code(client)

    kept = cache.get(f"login-code:{MOBILE}")

    assert sent_code() not in str(kept)
    assert len(kept["hash"]) == 64


def test_a_code_works_once(client, volunteer):
    ask_code(client)
    code = sent_code()

    first = phone_login.code_check(mobile=MOBILE, code=code)
    again = phone_login.code_check(mobile=MOBILE, code=code)

    assert (first, again) == (volunteer, None)


def test_five_wrong_codes_end_the_code(client, volunteer):
    ask_code(client)
    code = sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    answers = [give_code(client, wrong) for _ in range(5)]
    right_too_late = give_code(client, code)

    assert all("This code is wrong, used or expired" in a.content.decode() for a in answers)
    assert right_too_late.status_code == 200
    assert "_auth_user_id" not in client.session


def test_four_wrong_codes_leave_the_right_one_working(client, volunteer):
    ask_code(client)
    code = sent_code()
    for _ in range(4):
        give_code(client, "000000" if code != "000000" else "111111")

    assert give_code(client, code).url == reverse("home")


def test_the_code_ends_after_its_time(client, volunteer, monkeypatch):
    monkeypatch.setattr(phone_login, "CODE_SECONDS", 1)
    ask_code(client)
    time.sleep(1.5)

    assert give_code(client, sent_code()).status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_a_code_that_is_not_six_digits_is_told_beside_the_field(client, volunteer, code):
    ask_code(client)

    page = give_code(client, code)

    assert page.context["form"].errors["code"]


def test_a_code_typed_in_full_width_digits_with_spaces_works(client, volunteer):
    ask_code(client)
    code = sent_code()
    typed = " ".join(chr(ord(digit) + 0xFEE0) for digit in code)

    assert give_code(client, typed).url == reverse("home")


def test_one_code_a_minute_per_number_whatever_the_address_or_the_account(client, volunteer):
    ask_code(client)
    again = ask_code(client, mobile="+86 13912345678")
    ask_code(client, mobile="13700000000")
    nobody_again = ask_code(client, mobile="13700000000")

    assert "less than a minute ago" in again.content.decode()
    assert reverse("volunteers:phone_login_code") in again.content.decode()  # the code sent first
    assert "less than a minute ago" in nobody_again.content.decode()
    assert len(gateway.sent) == 1


def test_codes_to_one_number_are_capped_each_day(client, volunteer, monkeypatch):
    monkeypatch.setattr(phone_login, "RESEND_SECONDS", 1)
    monkeypatch.setattr(phone_login, "CODES_PER_DAY", 2)
    ask_code(client)
    time.sleep(1.1)
    ask_code(client)
    time.sleep(1.1)

    capped = ask_code(client)

    assert "as many codes as it may be today" in capped.content.decode()
    assert len(gateway.sent) == 2


def test_codes_asked_from_one_address_are_limited(client, world, monkeypatch):
    monkeypatch.setattr(phone_login, "CODE_REQUESTS_PER_ADDRESS_HOUR", 2)
    for n in range(2):
        ask_code(client, mobile=f"1370000000{n}", address="203.0.113.5")

    refused = ask_code(client, mobile="13700000009", address="203.0.113.5")

    assert "Too many codes were asked for from this network" in refused.content.decode()


def test_a_gateway_that_fails_is_told_and_asking_again_at_once_works(client, volunteer):
    gateway.outage = True
    failed = ask_code(client)
    gateway.outage = False
    again = ask_code(client)

    assert "The text message could not be sent just now" in failed.content.decode()
    assert again.url == reverse("volunteers:phone_login_code")
    assert len(gateway.sent) == 1


def test_a_number_the_provider_refuses_is_told_as_a_failure(client, volunteer):
    gateway.failures = {MOBILE: "isv.MOBILE_NUMBER_ILLEGAL"}

    failed = ask_code(client)

    assert "The text message could not be sent just now" in failed.content.decode()
    assert cache.get(f"login-code:{MOBILE}") is None


def test_a_bad_mobile_number_is_told_beside_the_field(client, world):
    page = ask_code(client, mobile="12345")

    assert "Enter an 11-digit mainland mobile number" in page.context["form"].errors["mobile"][0]
    assert gateway.sent == []


def test_the_code_page_without_a_number_asked_goes_back_to_the_first_page(client, world):
    assert client.get(reverse("volunteers:phone_login_code")).url == reverse("volunteers:phone_login")


def test_a_logged_in_account_is_sent_home(client, volunteer):
    client.force_login(volunteer)

    assert client.get(reverse("volunteers:phone_login")).url == reverse("home")


def test_wrong_codes_are_failed_logins_that_axes_locks_out(client, volunteer, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    ask_code(client)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(3):
        give_code(client, wrong)
    locked = give_code(client, code)

    assert locked.status_code == 429
    assert AccessAttempt.objects.get().username == volunteer.username
    assert "_auth_user_id" not in client.session


def test_a_code_login_resets_the_axes_counter(client, volunteer, settings):
    settings.AXES_ENABLED = True
    ask_code(client)
    code = sent_code()
    give_code(client, "000000" if code != "000000" else "111111")

    assert give_code(client, code).url == reverse("home")
    assert AccessAttempt.objects.filter(failures_since_start__gt=0).count() == 0
