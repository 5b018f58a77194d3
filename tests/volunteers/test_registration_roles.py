"""Every role against every page of registration, approval and the login by code: the public pages
open to anyone, the staff's to the community's staff and the street admin above it; anyone else
is sent to log in (no account) or finds nothing (404), and changes nothing."""

import pytest
from django.urls import reverse

from households.models import Role
from tests.households.factories import user_with_role
from tests.volunteers.joining import (  # noqa: F401 (fixtures)
    VolunteerFactory,
    filled_in,
    memory_gateway,
    own_cache,
    place_of,
)
from volunteers.models import CompoundSettings, Volunteer

pytestmark = pytest.mark.django_db

ANONYMOUS, OTHER_STAFF = "anonymous", "other_staff"
ROLES = [ANONYMOUS, Role.STREET_ADMIN, Role.COMMITTEE_STAFF, OTHER_STAFF, *Role.values[2:]]
DECIDERS = {Role.STREET_ADMIN, Role.COMMITTEE_STAFF}


def account(world, role):
    if role == ANONYMOUS:
        return None
    if role == OTHER_STAFF:  # the committee of the community next door
        return user_with_role(Role.COMMITTEE_STAFF, world.other_community, username="other_staff")
    return world.users[role]


def staff_pages(world, volunteer):
    """(method, url, data) of each staff page, for the world's compound and a waiting volunteer."""
    compound = world.building.compound.pk
    return {
        "poster": ("get", reverse("volunteers:poster", args=[compound]), {}),
        "close": ("post", reverse("volunteers:poster_joining", args=[compound]), {"joining_open": "0"}),
        "new_link": ("post", reverse("volunteers:poster_new_link", args=[compound]), {}),
        "list": ("get", reverse("volunteers:list"), {}),
        "detail": ("get", reverse("volunteers:detail", args=[volunteer.pk]), {}),
        "decide": ("post", reverse("volunteers:decide"), {"volunteers": [volunteer.pk], "decision": "approve"}),
        "approve": ("post", reverse("volunteers:approve", args=[volunteer.pk]), {}),
        "decline": ("post", reverse("volunteers:decline", args=[volunteer.pk]), {"reason": "x"}),
        "reveal": ("post", reverse("volunteers:reveal", args=[volunteer.pk]), {}),
    }


STAFF_PAGES = ["poster", "close", "new_link", "list", "detail", "decide", "approve", "decline", "reveal"]
# What a decider gets: the page, or a redirect back to it after the change.
DECIDER_ANSWERS = {"get": 200, "post": 302}


def state(world):
    place = CompoundSettings.objects.filter(compound=world.building.compound).first()
    volunteer = Volunteer.objects.get()
    return (place and (place.join_token, place.joining_open), volunteer.status, volunteer.user_id)


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_each_staff_page(client, world, role, page):
    volunteer = VolunteerFactory(building=world.building)
    place_of(world)
    user = account(world, role)
    if user:
        client.force_login(user)
    method, url, data = staff_pages(world, volunteer)[page]
    before = state(world)

    answer = getattr(client, method)(url, data)

    if role in DECIDERS:
        expected = 200 if page == "reveal" else DECIDER_ANSWERS[method]
        assert answer.status_code == expected, (role, page)
    elif role == ANONYMOUS:
        assert answer.status_code == 302
        assert answer.url.startswith(reverse("login"))
        assert state(world) == before
    elif role == OTHER_STAFF and page in ("list", "decide"):  # their own community's list, without ours
        assert answer.status_code == DECIDER_ANSWERS[method]
        assert state(world) == before
        assert not (answer.context or {}).get("rows")
    else:
        assert answer.status_code == 404, (role, page)
        assert state(world) == before


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_registration_page_and_registers(client, world, role):
    user = account(world, role)
    if user:
        client.force_login(user)
    place = place_of(world)

    page = client.get(reverse("volunteers:join", args=[place.join_token]))
    posted = client.post(reverse("volunteers:join", args=[place.join_token]), filled_in(world))
    thanks = client.get(posted.url)

    assert (page.status_code, posted.status_code, thanks.status_code) == (200, 302, 200)
    assert Volunteer.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_the_login_by_code(client, world, role):
    user = account(world, role)
    if user:
        client.force_login(user)

    start = client.get(reverse("volunteers:phone_login"))
    code = client.get(reverse("volunteers:phone_login_code"))

    if user:  # already logged in: home
        assert (start.url, code.url) == (reverse("home"), reverse("home"))
    else:
        assert start.status_code == 200
        assert code.url == reverse("volunteers:phone_login")


@pytest.mark.parametrize("role", ROLES)
def test_the_staff_menu_links_to_the_volunteers_for_those_who_decide(client, world, role):
    user = account(world, role)
    if user:
        client.force_login(user)

    page = client.get(reverse("login") if user is None else reverse("households:areas"), {"layout": "staff"})

    assert (f'href="{reverse("volunteers:list")}"' in page.content.decode()) == (role in {*DECIDERS, OTHER_STAFF})
