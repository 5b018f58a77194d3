"""The paths a person walks through the register, in a real browser at desk and phone widths.

Assertions hold on structure, URLs, status codes and data (names, rooms, numbers), not on the
translated labels, so the Chinese catalogue can change under them."""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.models import AuditEvent, Message, Presence, Recipient, Resident, Role
from tests.households.factories import CampaignFactory

from .conftest import (
    PASSWORD,
    assert_fits_the_phone,
    assert_no_small_tap_targets,
    log_in,
    path_of,
    small_tap_targets,
)

pytestmark = pytest.mark.browser


def masked_phone(number):
    return f"{number[:3]}****{number[-4:]}"


def masked_id(number):
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def search_for(page, query):
    """Type into the search box of the page's layout and submit it; returns the names found."""
    box = page.locator(".searchbox input[name=q]").first  # the header one on the desk, the top one on a phone
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    assert path_of(page) == "/search/"
    return [name.strip() for name in page.locator(".residents-table tbody td:nth-child(2) a").all_text_contents()]


def overview_counts(page, building):
    """Households, residents and away for one building's row of the overview table."""
    row = page.locator("table.overview tbody tr", has=page.locator(f"a[href='/buildings/{building.pk}/']"))
    expect(row).to_have_count(1)
    return row.locator("td.num").all_text_contents()[:3]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_staff_logs_in_finds_a_resident_and_reveals_the_phone_on_purpose(world, open_page, screenshot, device):
    staff, resident, household = world.users[Role.COMMITTEE_STAFF], world.resident, world.household
    page = open_page(device)

    # Given the login page, reached by asking for the home page
    page.goto("/")
    assert path_of(page) == "/accounts/login/"
    if device == "desktop":
        screenshot(page, "login.png")

    # When staff types the username and password, they land on their community's overview
    log_in(page, "staff")
    assert path_of(page) == f"/communities/{world.community.pk}/"
    expect(page.locator("body")).to_have_class(re.compile(r"\bstaff\b"))
    expect(page.locator(f"table.overview a[href='/buildings/{world.building.pk}/']")).to_contain_text("12")
    assert overview_counts(page, world.building) == ["3", "3", "0"]
    assert overview_counts(page, world.other_building) == ["1", "1", "0"]
    expect(page.locator(f"a[href='/buildings/{world.far_building.pk}/']")).to_have_count(0)
    if device == "desktop":
        screenshot(page, "overview-desktop.png")
    else:
        assert_fits_the_phone(page)  # the wide table scrolls inside its own box

    # The same resident is found by name, by pinyin initials and by room; the far 12-3-501 is not
    assert search_for(page, "张三") == ["张三"]
    if device == "desktop":
        screenshot(page, "search-desktop.png")
    assert search_for(page, "zs") == ["张三"]
    assert search_for(page, "12-3-501") == ["张三"]
    expect(page.locator(".residents-table tbody")).to_contain_text(masked_phone(resident.phone))
    assert resident.phone not in page.content()
    if device == "phone":
        assert_fits_the_phone(page)

    # The household page shows the numbers masked
    with page.expect_navigation():
        page.locator(".residents-table tbody a", has_text="张三").click()
    assert path_of(page) == f"/households/{household.pk}/"
    assert urlsplit(page.url).fragment == f"resident-{resident.pk}"
    card = page.locator(f"#resident-{resident.pk}")
    expect(card.locator(".name")).to_have_text("张三")
    phone, id_number = card.locator("[data-field=phone]"), card.locator("[data-field=id_number]")
    expect(phone).to_have_text(masked_phone(resident.phone))
    expect(phone).to_have_text(re.compile(r"^139\*{4}\d{4}$"))
    expect(id_number).to_have_text(masked_id(resident.id_number))
    html = page.content()
    assert resident.phone not in html
    assert resident.id_number not in html
    assert AuditEvent.objects.count() == 0
    if device == "desktop":
        screenshot(page, "household-desktop.png")
    else:
        assert_fits_the_phone(page)

    # When staff clicks "Show" next to the phone, the full number appears and the look is audited
    card.locator("dd:has([data-field=phone]) button.reveal").click()
    expect(phone).to_have_text(resident.phone)
    expect(phone).to_have_class(re.compile(r"\brevealed\b"))
    expect(id_number).to_have_text(masked_id(resident.id_number))
    events = list(AuditEvent.objects.values_list("actor", "action", "resident"))
    assert events == [(staff.pk, AuditEvent.Action.REVEAL_PHONE, resident.pk)]


def test_building_leader_logs_in_by_mobile_marks_a_resident_away_and_sees_only_his_building(
    world, open_page, screenshot
):
    leader, resident, household = world.users[Role.BUILDING_LEADER], world.resident, world.household
    leader.mobile = "13800000003"
    leader.save(update_fields=["mobile"])
    page = open_page("phone")

    # Given a leader on a phone, logging in with his mobile number
    page.goto("/accounts/login/")
    log_in(page, "13800000003")

    # He gets the phone layout listing his one building
    assert path_of(page) == "/"
    expect(page.locator("body")).to_have_class(re.compile(r"\bmobile\b"))
    tiles = page.locator("a.tile")
    expect(tiles).to_have_count(1)
    expect(tiles).to_have_attribute("href", f"/buildings/{world.building.pk}/")
    expect(tiles).to_contain_text("12")
    screenshot(page, "my-buildings-phone.png")

    # He opens the building, which lists its rooms and people and nobody else's
    with page.expect_navigation():
        tiles.click()
    assert path_of(page) == f"/buildings/{world.building.pk}/"
    rooms = page.locator("a.room-label")
    assert sorted(label.strip() for label in rooms.all_text_contents()) == ["1-101", "3-501", "3-502"]
    names = page.locator(".people .name").all_text_contents()
    assert sorted(names) == sorted(["张三", "赵桂英", "钱立民"])
    screenshot(page, "building-phone.png")

    # When he opens 3-501 and marks 张三 away
    with page.expect_navigation():
        rooms.filter(has_text=re.compile(r"^\s*3-501\s*$")).click()
    assert path_of(page) == f"/households/{household.pk}/"
    card = page.locator(f"#resident-{resident.pk}")
    expect(card.locator(".name")).to_have_text("张三")
    with page.expect_navigation():
        card.locator("button[name=presence][value=away]").click()

    # Then the page comes back with it saved
    assert path_of(page) == f"/households/{household.pk}/"
    card = page.locator(f"#resident-{resident.pk}")
    expect(card.locator("button[name=presence][value=away]")).to_have_class(re.compile(r"\bon\b"))
    expect(card.locator("button[name=presence].on")).to_have_count(1)
    expect(card.locator(".resident-head .presence")).to_have_class(re.compile(r"\bpresence-away\b"))
    expect(page.locator(".messages .message")).to_contain_text("张三")
    resident.refresh_from_db()
    assert resident.presence == Presence.AWAY
    screenshot(page, "household-phone.png")

    # Households outside his building are not found, neither next door nor in the other community
    for other in (world.other_household, world.far_household):
        response = page.goto(f"/households/{other.pk}/")
        assert response.status == 404, f"/households/{other.pk}/ answered {response.status}"
    for other in (world.other_building, world.far_building):
        response = page.goto(f"/buildings/{other.pk}/")
        assert response.status == 404, f"/buildings/{other.pk}/ answered {response.status}"

    # And search finds nothing from the other community: not 王五 by name, nor his 12-3-501
    page.goto("/")
    assert search_for(page, "王五") == []
    expect(page.locator(".residents-table tbody tr")).to_have_count(1)  # the "nobody matches" row
    assert search_for(page, "12-3-501") == ["张三"]
    assert search_for(page, "李四") == []

    # His building now shows 张三 away, and nobody else with a presence badge
    page.goto(f"/buildings/{world.building.pk}/")
    expect(page.locator(".people li", has_text="张三").locator(".presence")).to_have_class(
        re.compile(r"\bpresence-away\b")
    )
    expect(page.locator(".people .presence")).to_have_count(1)

    # The compound overview linked from his building counts his building only
    with page.expect_navigation():
        page.locator(f".subnav a[href='/compounds/{world.building.compound_id}/']").click()
    expect(page.locator("table.overview a[href^='/buildings/']")).to_have_count(1)
    assert overview_counts(page, world.building) == ["3", "3", "1"]

    # He changes his password from the top bar, and stays logged in
    with page.expect_navigation():
        page.locator(".mobilebar a.password").click()
    page.locator("input[name=old_password]").fill(PASSWORD)
    page.locator("input[name=new_password1]").fill("Lanterns-on-Jinyang-7")
    page.locator("input[name=new_password2]").fill("Lanterns-on-Jinyang-7")
    with page.expect_navigation():
        page.locator("form.password-change button[type=submit]").click()
    assert path_of(page) == "/accounts/password_change/done/"
    expect(page.locator("body")).to_have_class(re.compile(r"\bmobile\b"))
    leader.refresh_from_db()
    assert leader.check_password("Lanterns-on-Jinyang-7")


@pytest.mark.parametrize("role", [Role.BUILDING_LEADER, Role.VOLUNTEER, Role.ZONE_LEADER])
def test_phone_pages_fit_a_phone_and_every_tap_target_is_big_enough(world, open_page, role):
    user = world.users[role]
    campaign = sent_recall(world)
    page = open_page("phone")
    page.goto("/accounts/login/")
    small = {"/accounts/login/": small_tap_targets(page)}
    log_in(page, user.username)
    paths = [
        "/",
        f"/buildings/{world.building.pk}/",
        f"/households/{world.household.pk}/",
        "/search/?q=张三",
        "/search/?q=12-3-501",
        "/search/?q=王五",
        f"/compounds/{world.building.compound_id}/",
        "/key-population/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/calls/",
        "/accounts/password_change/",
    ]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("body")).to_have_class(re.compile(r"\bmobile\b"))
        assert_fits_the_phone(page)
        small[path] = small_tap_targets(page)
    assert_no_small_tap_targets(small)
    # The pages have what a thumb taps: results to open, a call card with its buttons for a leader
    page.goto("/search/?q=张三")
    expect(page.locator(".residents-table tbody a")).to_have_count(2)
    page.goto(f"/campaigns/{campaign.pk}/calls/")
    expect(page.locator("li.call")).to_have_count(3)
    buttons = page.locator("li.call button.outcome")
    if role == Role.VOLUNTEER:
        expect(buttons).to_have_count(0)
    else:
        expect(buttons.first).to_be_visible()


def test_desk_pages_seen_on_a_phone_have_big_tap_targets(world, open_page):
    campaign = sent_recall(world)
    page = open_page("phone")
    page.goto("/accounts/login/")
    log_in(page, "staff")
    small = {}
    paths = [
        f"/communities/{world.community.pk}/",
        f"/buildings/{world.building.pk}/",
        f"/households/{world.household.pk}/",
        "/search/?q=张三",
        "/key-population/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/calls/",
        "/campaigns/new/",
        "/exports/",
        "/accounts/password_change/",
    ]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("body")).to_have_class(re.compile(r"\bstaff\b"))
        assert_fits_the_phone(page)
        small[path] = small_tap_targets(page)
    assert_no_small_tap_targets(small)


def sent_recall(world):
    """A recall sent to the three residents of building 12 and 李四 of building 13: one without a
    mobile to call, the others with their message sent."""
    campaign = CampaignFactory(
        community=world.community, created_by=world.users[Role.COMMITTEE_STAFF], sent_at=timezone.now()
    )
    for resident in Resident.objects.filter(community=world.community).order_by("pk"):
        message = None
        if resident.name != "钱立民":
            message = Message.objects.create(campaign=campaign, batch=1, phone=resident.phone, state="sent")
        Recipient.objects.create(
            campaign=campaign,
            resident=resident,
            building=resident.building,
            message=message,
            call_reason="" if message else Recipient.CallReason.NO_MOBILE,
        )
    return campaign


def test_staff_on_a_phone_moves_a_resident_to_a_room_two_compounds_have_by_tapping_the_compound(
    two_compounds, open_page
):
    world = two_compounds
    page = open_page("phone")
    page.goto(f"/residents/{world.other_resident.pk}/move/")
    log_in(page, "staff")

    # 12-3-501 is in 金杨新村 and in 金杨二村: the form asks which, one big button each
    page.locator("input[name=room]").fill("12-3-501")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    choices = page.locator("input[name=household]")
    expect(choices).to_have_count(2)
    assert_fits_the_phone(page)
    assert_no_small_tap_targets({path_of(page): small_tap_targets(page)})
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.other_household

    # One tap on 金杨二村's room, one on Move: the resident lives there
    page.locator("label", has_text="金杨二村 12-3-501").click()
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()
    assert path_of(page) == f"/households/{world.second_household.pk}/"
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.second_household
