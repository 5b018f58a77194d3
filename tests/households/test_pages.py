import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import services
from households.models import Building, Change, Household, Presence, Resident, Role, Tag

from .factories import BuildingFactory, HouseholdFactory, ResidentFactory, ResidentTagFactory, valid_id_number

pytestmark = pytest.mark.django_db


def grow(building, households, start=0):
    """Add `households` households of two tagged residents each to `building`."""
    for i in range(start, start + households):
        household = HouseholdFactory(building=building, unit="9", room=str(1000 + i))
        for resident in ResidentFactory.create_batch(2, household=household, name=f"王{i}"):
            ResidentTagFactory(resident=resident, tag=Tag.CHRONIC)


def page_urls(world):
    return [
        reverse("households:community", args=[world.community.pk]),
        reverse("households:compound", args=[world.building.compound_id]),
        reverse("households:building", args=[world.building.pk]),
        reverse("households:search") + "?q=王",
        reverse("households:search") + "?q=w",
        reverse("households:key_population"),
        reverse("households:key_population") + f"?tag={Tag.CHRONIC}&building={world.building.pk}",
        reverse("households:detail", args=[world.household.pk]),
        "/api/residents/",
        "/api/residents/?format=api",  # the browsable API, with its filter form
    ]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.COMMITTEE_STAFF, Role.BUILDING_LEADER])
def test_register_pages_issue_as_many_queries_for_200_households_as_for_10(client, world, role):
    client.force_login(world.users[role])
    grow(world.building, 10)
    small = {url: count_queries(client, url) for url in page_urls(world)}

    grow(world.building, 190, start=10)
    large = {url: count_queries(client, url) for url in page_urls(world)}

    assert Household.objects.filter(building=world.building).count() == 201
    assert large == small


def test_building_page_lists_rooms_with_residents_and_tags(client, world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    client.force_login(world.users[Role.VOLUNTEER])

    html = client.get(reverse("households:building", args=[world.building.pk])).content.decode()

    assert "3-501" in html
    assert "张三" in html
    assert "Elderly living alone" in html
    assert world.resident.phone not in html
    assert world.resident.id_number not in html


def test_building_page_badges_only_residents_who_are_not_at_home(client, world):
    ResidentFactory(household=world.household, name="钱七", presence=Presence.AWAY)
    client.force_login(world.users[Role.BUILDING_LEADER])

    html = client.get(reverse("households:building", args=[world.building.pk])).content.decode()

    assert '<span class="name">钱七</span> <span class="presence presence-away">Away</span>' in html
    assert '<span class="name">张三</span></li>' in html
    assert "presence-home" not in html


@pytest.mark.parametrize(("role", "sees_note"), [(Role.BUILDING_LEADER, True), (Role.VOLUNTEER, False)])
def test_tag_notes_are_shown_only_to_roles_that_may_read_them(client, world, role, sees_note):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE, note="女儿住浦东")
    client.force_login(world.users[role])

    pages = {
        "building": client.get(reverse("households:building", args=[world.building.pk])),
        "household": client.get(reverse("households:detail", args=[world.household.pk])),
    }

    assert {name: "女儿住浦东" in page.content.decode() for name, page in pages.items()} == {
        "building": sees_note,
        "household": sees_note,
    }
    for url in (reverse("households:search") + "?q=张三", reverse("households:key_population")):
        assert "女儿住浦东" not in client.get(url).content.decode()  # lists never carry notes


def test_lists_mask_numbers_for_every_role(client, world):
    client.force_login(world.users[Role.STREET_ADMIN])

    html = client.get(reverse("households:search"), {"q": "张三"}).content.decode()
    api = client.get("/api/residents/", {"name": "张三"}).json()["results"][0]

    assert world.resident.phone not in html
    assert world.resident.phone[:3] + "****" + world.resident.phone[-4:] in html
    assert api["phone"] == world.resident.phone[:3] + "****" + world.resident.phone[-4:]
    assert api["id_number"] == world.resident.id_number[:4] + "*" * 10 + world.resident.id_number[-4:]


def test_household_page_reveal_is_offered_per_role_and_audited(client, world):
    url = reverse("households:detail", args=[world.household.pk])
    reveal_id = reverse("households:resident_reveal", args=[world.resident.pk, "id_number"])

    client.force_login(world.users[Role.VOLUNTEER])
    volunteer_page = client.get(url).content.decode()
    assert reveal_id not in volunteer_page
    assert "History" not in volunteer_page
    assert client.post(reveal_id).status_code == 403

    client.force_login(world.users[Role.COMMITTEE_STAFF])
    assert reveal_id in client.get(url).content.decode()
    assert client.post(reveal_id).json() == {"value": world.resident.id_number}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张三", {"张三"}),
        ("zs", {"张三"}),
        ("12-3-501", {"张三"}),
        ("12-501", {"张三"}),
        ("12-9-501", set()),
        ("13-1-101", {"李四"}),
    ],
)
def test_search_by_name_initials_and_room(client, world, query, expected):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    found = client.get(reverse("households:search"), {"q": query}).context["residents"]

    assert {r.name for r in found} == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("12号楼3单元501室", {"张三"}),
        ("12号楼501", {"张三"}),
        ("13幢1单元101", {"李四"}),
        ("12/3/501", {"张三"}),
        ("12 3 501", {"张三"}),
        ("12—3—501", {"张三"}),
        ("12-3-501室", {"张三"}),
    ],
)
def test_search_takes_a_room_written_in_words(client, world, query, expected):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    found = client.get(reverse("households:search"), {"q": query}).context["residents"]

    assert {r.name for r in found} == expected


def test_search_by_last_digits_of_phone_or_id(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    world.other_resident.id_number = valid_id_number(55)
    world.other_resident.id_last4 = world.other_resident.id_number[-4:]
    world.other_resident.save()

    by_phone = client.get(reverse("households:search"), {"q": world.resident.phone[-6:]}).context["residents"]
    by_id = client.get(reverse("households:search"), {"q": world.other_resident.id_number[-4:]}).context["residents"]
    too_short = client.get(reverse("households:search"), {"q": "501"})

    assert [r.id for r in by_phone] == [world.resident.pk]
    assert world.other_resident.pk in [r.id for r in by_id]
    assert too_short.context["too_short"]
    assert too_short.context["residents"] == []


def resident_form(**changes):
    data = {"name": "钱七", "document_type": "id", "id_number": "", "phone": "", "relation": "", "sex": "", "notes": ""}
    return data | changes


def test_add_resident_form_shows_clear_errors_and_changes_nothing(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_create", args=[world.household.pk])
    residents, changes = Resident.objects.count(), Change.objects.count()

    bad_id = client.post(url, resident_form(id_number="110105194912310021"))
    bad_phone = client.post(url, resident_form(phone="62800000"))

    assert "check digit is wrong" in bad_id.content.decode()
    assert "is not a mobile number" in bad_phone.content.decode()
    assert (Resident.objects.count(), Change.objects.count()) == (residents, changes)


def test_add_resident_form_saves_with_tags(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_create", args=[world.household.pk])

    response = client.post(
        url,
        resident_form(phone="13700001111", tag_chronic="on", chronic_condition="糖尿病", chronic_medicine="二甲双胍"),
    )

    assert response.status_code == 302
    resident = Resident.objects.get(name="钱七")
    tag = resident.tags.get()
    assert (tag.tag, tag.condition, tag.medicine) == (Tag.CHRONIC, "糖尿病", "二甲双胍")


def test_duplicate_room_form_error(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    before = Household.objects.count()

    response = client.post(reverse("households:create", args=[world.building.pk]), {"unit": "3", "room": "501"})

    assert "already exists" in response.content.decode()
    assert Household.objects.count() == before


def test_move_form_refuses_a_room_outside_the_community(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_move", args=[world.resident.pk])

    response = client.post(url, {"room": "12-3-501-x"})
    same = client.post(url, {"room": "12-3-501"})
    moved = client.post(url, {"room": "13-1-101"})

    assert "There is no room" in response.content.decode()
    assert "already lives in" in same.content.decode()
    assert moved.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.household == world.other_household


def test_leaders_cannot_open_edit_forms(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])

    assert client.get(reverse("households:resident_edit", args=[world.resident.pk])).status_code == 404
    assert client.get(reverse("households:edit", args=[world.household.pk])).status_code == 404


def test_staff_overview_groups_buildings_by_zone(client, world):
    BuildingFactory(zone=world.zone, number="14")
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    (compound,) = client.get(reverse("households:community", args=[world.community.pk])).context["groups"]

    assert compound.compound == world.zone.compound
    assert [(g.zone, [r.building.number for r in g.rows]) for g in compound.zones] == [
        (world.zone, ["12", "14"]),
        (world.other_zone, ["13"]),
    ]
    assert Building.objects.count() == 4


def test_interface_is_chinese_unless_english_is_chosen(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:key_population")

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()

    assert "重点人群表" in chinese
    assert "Key-population table" in english


def test_history_reads_in_words(client, world):
    services.resident_set_presence(
        actor=world.users[Role.BUILDING_LEADER], resident=world.resident, presence=Presence.AWAY
    )
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    html = client.get(reverse("households:detail", args=[world.household.pk])).content.decode()

    assert "presence：At home → Away" in html


def test_not_found_page_says_what_may_have_happened(client, world):
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = client.get(reverse("households:detail", args=[world.far_household.pk]))

    assert response.status_code == 404
    assert "area your account does not cover" in response.content.decode()


def room_labels(page):
    return {row.room_label for row in page.context.get("residents") or page.context["page"].object_list}


def test_a_room_carries_its_compound_only_where_the_community_has_several(client, world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    search = reverse("households:search") + "?q=12-3-501"
    household = reverse("households:detail", args=[world.household.pk])
    building = reverse("households:building", args=[world.building.pk])

    assert room_labels(client.get(search)) == {"12-3-501"}
    assert room_labels(client.get(reverse("households:key_population"))) == {"12-3-501"}
    assert "<h1>12-3-501</h1>" in client.get(household).content.decode()
    assert "<h1>Building 12</h1>" in client.get(building).content.decode()


def test_in_a_community_of_two_compounds_every_room_is_written_with_its_compound(client, two_compounds):
    world = two_compounds
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    ResidentTagFactory(resident=world.second_resident, tag=Tag.ALONE)
    client.force_login(world.users[Role.STREET_ADMIN])

    found = client.get(reverse("households:search"), {"q": "12-3-501"})
    tagged = client.get(reverse("households:key_population"))
    household = client.get(reverse("households:detail", args=[world.second_household.pk])).content.decode()
    building = client.get(reverse("households:building", args=[world.second_building.pk])).content.decode()
    far = client.get(reverse("households:search"), {"q": "王五"})

    assert room_labels(found) == {"金杨新村 12-3-501", "金杨二村 12-3-501", "12-3-501"}  # 王五's community has one
    assert room_labels(tagged) == {"金杨新村 12-3-501", "金杨二村 12-3-501"}
    assert "<h1>金杨二村 12-3-501</h1>" in household
    assert "<h1>金杨二村 Building 12</h1>" in building
    assert room_labels(far) == {"12-3-501"}


def test_search_takes_a_room_with_its_compound(client, two_compounds):
    client.force_login(two_compounds.users[Role.COMMITTEE_STAFF])

    spaced = client.get(reverse("households:search"), {"q": "金杨二村 12-3-501"})
    joined = client.get(reverse("households:search"), {"q": "金杨二村12-3-501"})

    assert [r.name for r in spaced.context["residents"]] == ["张小明"]
    assert [r.name for r in joined.context["residents"]] == ["张小明"]


def move_choices(response):
    """The households the move form offers for the room typed: {pk: label}, empty if it asks nothing."""
    form = response.context["form"]
    return {int(pk): label for pk, label in form.fields["household"].widget.choices}


def test_a_move_to_a_room_two_compounds_have_asks_which_and_goes_to_the_one_tapped(client, two_compounds):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:resident_move", args=[world.other_resident.pk])

    asked = client.post(url, {"room": "12-3-501"})

    assert asked.status_code == 200
    assert move_choices(asked) == {
        world.household.pk: "金杨新村 12-3-501 · 张三",
        world.second_household.pk: "金杨二村 12-3-501 · 张小明",
    }
    assert "12-3-501 may be any of these 2 households: tap the one you mean, then Move." in asked.content.decode()
    assert f'value="{world.second_household.pk}"' in asked.content.decode()
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.other_household

    moved = client.post(url, {"room": "12-3-501", "household": world.second_household.pk}, follow=True)

    assert "李四 moved to 金杨二村 12-3-501." in moved.content.decode()
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.second_household


def test_a_move_to_another_compound_names_both_compounds_in_the_history(two_compounds):
    world = two_compounds

    services.resident_move(
        actor=world.users[Role.COMMITTEE_STAFF], resident=world.resident, to_household=world.second_household
    )

    moved_in = Change.objects.get(household=world.second_household, action=Change.Action.MOVED_IN)
    assert moved_in.changes["household"] == ["金杨新村 12-3-501", "金杨二村 12-3-501"]


@pytest.mark.parametrize("room", ["金杨二村 12-3-501", "金杨二村12-3-501", "金杨二 12-3-501"])
def test_a_move_goes_at_once_where_the_room_is_written_with_its_compound(client, two_compounds, room):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    moved = client.post(reverse("households:resident_move", args=[world.other_resident.pk]), {"room": room})

    assert moved.status_code == 302
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.second_household


@pytest.mark.parametrize("chosen", ["", "99999999999999999999999", "x", "far"])
def test_a_move_to_a_compound_without_that_room_or_a_choice_not_offered_asks_again(client, two_compounds, chosen):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    chosen = world.far_household.pk if chosen == "far" else chosen

    asked = client.post(
        reverse("households:resident_move", args=[world.other_resident.pk]),
        {"room": "金杨三村 12-3-501", "household": chosen},
    )

    assert asked.status_code == 200
    assert set(move_choices(asked)) == {world.household.pk, world.second_household.pk}
    world.other_resident.refresh_from_db()
    assert world.other_resident.household == world.other_household


def test_a_move_to_a_room_of_one_compound_asks_nothing(client, two_compounds):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    moved = client.post(reverse("households:resident_move", args=[world.resident.pk]), {"room": "13-1-101"})

    assert moved.status_code == 302
    world.resident.refresh_from_db()
    assert world.resident.household == world.other_household


def test_the_overview_heads_each_compound_where_there_are_several(client, two_compounds):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    one = client.get(reverse("households:compound", args=[world.building.compound_id]))
    two = client.get(reverse("households:community", args=[world.community.pk]))

    assert [(g.compound.name, [z.zone.name for z in g.zones]) for g in one.context["groups"]] == [
        ("金杨新村", ["一块区", "二块区"])
    ]
    assert {(g.compound.name, g.counts.households) for g in two.context["groups"]} == {("金杨新村", 2), ("金杨二村", 1)}
    html = two.content.decode()
    assert html.count('<h2 class="compound">') == 2
    assert '<h2 class="compound">' not in one.content.decode()


def test_register_pages_issue_as_many_queries_in_a_community_of_two_compounds(client, two_compounds):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    grow(world.building, 5)
    grow(world.second_building, 5, start=5)
    small = {url: count_queries(client, url) for url in page_urls(world)}

    grow(world.building, 50, start=10)
    grow(world.second_building, 50, start=60)
    large = {url: count_queries(client, url) for url in page_urls(world)}

    assert large == small


def test_the_forms_name_the_room_with_its_compound_where_there_are_several(client, two_compounds):
    world = two_compounds
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    household, resident = world.second_household, world.second_resident

    pages = {
        "edit household": reverse("households:edit", args=[household.pk]),
        "add resident": reverse("households:resident_create", args=[household.pk]),
        "edit resident": reverse("households:resident_edit", args=[resident.pk]),
        "move": reverse("households:resident_move", args=[resident.pk]),
        "add household": reverse("households:create", args=[world.second_building.pk]),
    }

    shown = {name: client.get(url).content.decode() for name, url in pages.items()}
    assert {name for name, html in shown.items() if "金杨二村 12-3-501" in html} == set(pages) - {"add household"}
    assert "金杨二村 Building 12" in shown["add household"]


def test_a_refused_room_change_leaves_the_page_naming_the_room_as_saved(client, world):
    HouseholdFactory(building=world.building, unit="3", room="502")
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    url = reverse("households:edit", args=[world.household.pk])

    refused = client.post(url, {"unit": "3", "room": "502", "notes": "", "version": world.household.version})

    assert refused.status_code == 200
    assert "12-3-502 already exists" in refused.content.decode()
    assert refused.context["household"].room == "501"
