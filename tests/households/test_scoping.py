"""Every role against every list, detail and API endpoint: outside the scope is 404 and never listed."""

import pytest
from django.urls import reverse

from households.models import Presence, Role, Tag
from households.scoping import EDITORS
from lockdown.core.identity import mask_id_number, mask_phone

from .factories import HouseholdFactory, ResidentFactory, ResidentTagFactory

pytestmark = pytest.mark.django_db

# Which of the world's households each role sees (see conftest.World).
VISIBLE = {
    Role.STREET_ADMIN: {"household", "other_household", "far_household"},
    Role.COMMITTEE_STAFF: {"household", "other_household"},
    Role.ZONE_LEADER: {"household"},
    Role.BUILDING_LEADER: {"household"},
    Role.VOLUNTEER: {"household"},
}
HOUSEHOLDS = {"household": "resident", "other_household": "other_resident", "far_household": "far_resident"}


@pytest.fixture
def scoped_world(world):
    # Somebody in another street, whom nobody here may see, and a key-population tag on everyone.
    world.foreign_resident = ResidentFactory(household=HouseholdFactory(), name="赵六")
    for resident in (world.resident, world.other_resident, world.far_resident, world.foreign_resident):
        ResidentTagFactory(resident=resident, tag=Tag.CHRONIC)
    return world


def visible_residents(world, role):
    return {getattr(world, HOUSEHOLDS[h]).pk for h in VISIBLE[role]}


def login(client, world, role):
    client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", list(VISIBLE))
def test_household_pages_answer_404_outside_the_scope(client, scoped_world, role):
    login(client, scoped_world, role)
    visible = [getattr(scoped_world, name) for name in VISIBLE[role]]
    for name in HOUSEHOLDS:
        household = getattr(scoped_world, name)
        resident = getattr(scoped_world, HOUSEHOLDS[name])
        expected = 200 if name in VISIBLE[role] else 404
        for url in (
            reverse("households:detail", args=[household.pk]),
            reverse("households:building", args=[household.building_id]),
            f"/api/households/{household.pk}/",
            f"/api/residents/{resident.pk}/",
            f"/api/buildings/{household.building_id}/",
        ):
            assert client.get(url).status_code == expected, (role, name, url)
        # An area above the building is visible when it holds any visible building.
        compound_id, community_id = household.building.compound_id, household.community_id
        for url, shown in (
            (
                reverse("households:compound", args=[compound_id]),
                any(h.building.compound_id == compound_id for h in visible),
            ),
            (
                reverse("households:community", args=[community_id]),
                any(h.community_id == community_id for h in visible),
            ),
        ):
            assert client.get(url).status_code == (200 if shown else 404), (role, name, url)
    foreign = scoped_world.foreign_resident
    assert client.get(reverse("households:detail", args=[foreign.household_id])).status_code == 404
    assert client.get(f"/api/residents/{foreign.pk}/").status_code == 404


@pytest.mark.parametrize("role", list(VISIBLE))
def test_lists_never_contain_residents_outside_the_scope(client, scoped_world, role):
    login(client, scoped_world, role)
    expected = visible_residents(scoped_world, role)

    api = client.get("/api/residents/").json()
    assert {r["id"] for r in api["results"]} == expected
    tagged = client.get("/api/residents/", {"tag": Tag.CHRONIC}).json()
    assert {r["id"] for r in tagged["results"]} == expected
    page = client.get(reverse("households:key_population"))
    assert {r.id for r in page.context["page"].object_list} == expected
    found = set()
    for name in ("张三", "李四", "王五", "赵六"):
        found |= {r.id for r in client.get(reverse("households:search"), {"q": name}).context["residents"]}
    assert found == expected
    households = client.get("/api/households/").json()["results"]
    assert {h["id"] for h in households} == {getattr(scoped_world, h).pk for h in VISIBLE[role]}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_area_lists_show_only_areas_holding_visible_buildings(client, scoped_world, role):
    login(client, scoped_world, role)
    visible_buildings = {getattr(scoped_world, h).building_id for h in VISIBLE[role]}

    buildings = {b["id"] for b in client.get("/api/buildings/").json()["results"]}
    communities = {c["id"] for c in client.get("/api/communities/").json()["results"]}

    assert buildings == visible_buildings
    assert communities == {getattr(scoped_world, h).community_id for h in VISIBLE[role]}
    for endpoint in ("compounds", "zones"):
        assert client.get(f"/api/{endpoint}/").status_code == 200


@pytest.mark.parametrize("role", list(VISIBLE))
def test_overview_counts_only_visible_buildings(client, scoped_world, role):
    login(client, scoped_world, role)
    community = scoped_world.community
    if "household" not in VISIBLE[role]:
        pytest.skip("role sees nothing in this community")

    total = client.get(reverse("households:community", args=[community.pk])).context["total"]

    expected = len({"household", "other_household"} & VISIBLE[role])
    assert (total.households, total.residents, total.tags.get(Tag.CHRONIC)) == (expected, expected, expected)


def test_presence_api_is_scoped_and_checks_role(client, scoped_world):
    login(client, scoped_world, Role.BUILDING_LEADER)

    ok = client.post(f"/api/residents/{scoped_world.resident.pk}/presence/", {"presence": Presence.AWAY})
    outside = client.post(f"/api/residents/{scoped_world.other_resident.pk}/presence/", {"presence": Presence.AWAY})
    bad = client.post(f"/api/residents/{scoped_world.resident.pk}/presence/", {"presence": "on the moon"})

    assert (ok.status_code, outside.status_code, bad.status_code) == (200, 404, 400)
    assert "presence" in bad.json()
    scoped_world.other_resident.refresh_from_db()
    assert scoped_world.other_resident.presence == Presence.HOME


def test_anonymous_visitors_are_sent_to_login(client, scoped_world):
    response = client.get(reverse("households:detail", args=[scoped_world.household.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get("/api/residents/").status_code == 403


def test_browsable_api_filter_form_names_no_household_outside_the_scope(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])

    html = client.get("/api/residents/", {"format": "api"}).content.decode()

    assert world.other_household.label not in html
    assert world.other_resident.name not in html


@pytest.mark.parametrize("query", ["household=1.5", "building=99999999999999999999999", "zone=-1", "building=abc"])
def test_api_id_filters_refuse_what_is_not_an_id_with_a_400(client, world, query):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.get(f"/api/residents/?{query}")

    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_api_id_filter_finds_the_households_residents(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    found = client.get("/api/residents/", {"household": world.household.pk}).json()["results"]

    assert [r["id"] for r in found] == [world.resident.pk]


# What each role reads of a resident (scoping.Permissions): a volunteer reads rooms, names, tags and
# presence only; every other role also reads the masked numbers in lists and the API.
READS_NUMBERS = {
    Role.STREET_ADMIN: True,
    Role.COMMITTEE_STAFF: True,
    Role.ZONE_LEADER: True,
    Role.BUILDING_LEADER: True,
    Role.VOLUNTEER: False,
}


@pytest.mark.parametrize("role", list(READS_NUMBERS))
def test_only_roles_that_read_numbers_see_them_masked_on_the_pages(client, scoped_world, role):
    resident = scoped_world.resident
    login(client, scoped_world, role)

    pages = {
        "search": client.get(reverse("households:search"), {"q": "张三"}),
        "key population": client.get(reverse("households:key_population")),
        "household": client.get(reverse("households:detail", args=[resident.household_id])),
        "building": client.get(reverse("households:building", args=[resident.building_id])),
    }

    shown = {name: mask_phone(resident.phone) in page.content.decode() for name, page in pages.items()}
    reads = READS_NUMBERS[role]
    assert shown == {"search": reads, "key population": reads, "household": reads, "building": False}
    for name, page in pages.items():
        html = page.content.decode()
        assert resident.name in html, name
        assert (resident.phone in html, resident.id_number in html) == (False, False), name
        assert (mask_id_number(resident.id_number) in html) == (reads and name == "household"), name
    for name in ("search", "key population"):
        headers = pages[name].content.decode().split("<tbody>")[0]
        assert ("<th>Mobile</th>" in headers, "<th>Born</th>" in headers) == (reads, reads), name


@pytest.mark.parametrize("role", list(READS_NUMBERS))
def test_the_api_gives_a_volunteer_no_numbers_and_nothing_personal(client, scoped_world, role):
    resident = scoped_world.resident
    resident.tags.update(condition="高血压", medicine="氨氯地平", note="每周三配药")
    login(client, scoped_world, role)

    listed = next(r for r in client.get("/api/residents/").json()["results"] if r["id"] == resident.pk)
    detail = client.get(f"/api/residents/{resident.pk}/").json()
    browsable = client.get(f"/api/residents/{resident.pk}/", {"format": "api"}).content.decode()

    assert listed == detail
    assert resident.phone not in browsable
    assert (mask_phone(resident.phone) in browsable) == READS_NUMBERS[role]
    personal = {name: detail[name] for name in ("phone", "id_number", "sex", "birth_date", "relation")}
    tag = {name: detail["tags"][0][name] for name in ("tag", "condition", "medicine", "note")}
    if READS_NUMBERS[role]:
        assert personal == {
            "phone": mask_phone(resident.phone),
            "id_number": mask_id_number(resident.id_number),
            "sex": resident.sex,
            # A leader reads the year and month of a birth date (the age), not the day.
            "birth_date": resident.birth_date.isoformat()[: 10 if role in EDITORS else 7],
            "relation": "",
        }
        assert tag == {"tag": Tag.CHRONIC, "condition": "高血压", "medicine": "氨氯地平", "note": "每周三配药"}
    else:
        assert personal == {"phone": "", "id_number": "", "sex": "", "birth_date": None, "relation": ""}
        assert tag == {"tag": Tag.CHRONIC, "condition": "", "medicine": "", "note": ""}
    assert (detail["name"], detail["presence"], detail["household"]) == (
        resident.name,
        Presence.HOME,
        resident.household_id,
    )


def test_a_volunteer_cannot_find_residents_by_the_digits_of_numbers_they_may_not_read(client, scoped_world):
    resident = scoped_world.resident
    found, offered = {}, {}
    for role in (Role.VOLUNTEER, Role.BUILDING_LEADER):
        login(client, scoped_world, role)
        for kind, digits in (("phone", resident.phone[-6:]), ("id", resident.id_number[-4:])):
            page = client.get(reverse("households:search"), {"q": digits})
            found[role, kind] = [r.id for r in page.context["residents"]]
        offered[role] = "last 4 digits of a mobile" in page.content.decode()

    assert found == {
        (Role.VOLUNTEER, "phone"): [],
        (Role.VOLUNTEER, "id"): [],
        (Role.BUILDING_LEADER, "phone"): [resident.pk],
        (Role.BUILDING_LEADER, "id"): [resident.pk],
    }
    assert offered == {Role.VOLUNTEER: False, Role.BUILDING_LEADER: True}  # the page's help says what it finds
