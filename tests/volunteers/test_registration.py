"""Registration by a compound's link: the public phone page, the same mobile number registering
again, a burst of 200, two at once, abuse from one address, and the staff's poster of the link."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Role
from lockdown.core.errors import NotPermitted, ServiceError
from tests.concurrency import at_once
from tests.households.factories import BuildingFactory, HouseholdFactory, ResidentFactory
from tests.volunteers.joining import (  # noqa: F401 (fixtures)
    an_address,
    filled_in,
    join_url,
    memory_gateway,
    own_cache,
    place_of,
    register,
)
from volunteers import registration
from volunteers.choices import Source
from volunteers.models import CompoundSettings, Volunteer

pytestmark = pytest.mark.django_db
Status = Volunteer.Status


def test_the_link_s_page_asks_for_the_compound_s_buildings_without_a_login(client, world):
    page = client.get(join_url(place_of(world)))

    html = page.content.decode()
    assert page.status_code == 200
    assert "金杨新村" in html
    assert list(page.context["form"].fields["building"].queryset) == [world.building, world.other_building]
    assert 'name="mobile"' in html
    assert 'type="tel"' in html
    assert 'class="bottomnav"' not in html  # nothing to go to without an account


def test_the_settings_and_link_are_made_on_first_need_and_kept(world):
    assert not CompoundSettings.objects.exists()

    first, again = place_of(world), place_of(world)

    assert first.pk == again.pk
    assert first.join_token == again.join_token
    assert len(first.join_token) >= 16


def test_an_unknown_link_says_so_with_a_404(client, world):
    page = client.get(reverse("volunteers:join", args=["no-such-link"]))

    assert page.status_code == 404
    assert "This registration link is not valid" in page.content.decode()


def test_a_closed_registration_says_so_with_the_committee_s_phone_and_takes_nothing(client, world):
    world.community.phone = "021-58001234"
    world.community.save()
    place = place_of(world)
    registration.joining_set(actor=world.users[Role.COMMITTEE_STAFF], compound=place.compound, joining_open=False)

    page = client.get(join_url(place))
    posted = register(client, world)

    assert "Registration is closed" in page.content.decode()
    assert "tel:021-58001234" in page.content.decode()
    assert "Registration is closed" in posted.content.decode()
    assert not Volunteer.objects.exists()


def test_a_resident_registers_and_is_matched_to_the_register_by_name(client, world):
    answer = register(client, world)

    volunteer = Volunteer.objects.get()
    assert answer.url == reverse("volunteers:join_thanks", args=[place_of(world).join_token])
    assert (volunteer.name, volunteer.mobile, volunteer.age) == ("张三", "13912345678", 35)
    assert (volunteer.building, volunteer.room, volunteer.resident) == (world.building, "3-501", world.resident)
    assert (volunteer.community, volunteer.compound) == (world.community, world.building.compound)
    assert (volunteer.skills, volunteer.availability) == (["driver"], ["morning", "evening"])
    assert (volunteer.status, volunteer.registrations) == (Status.PENDING, 1)


@pytest.mark.parametrize(
    ("mobile", "room"),
    [
        ("+86 139 1234 5678", "3单元501室"),
        ("１３９１２３４５６７８", "３－５０１"),
        ("8613912345678", "12-3-501"),
        ("139-1234-5678", "12号楼3单元501"),
    ],
)
def test_numbers_and_rooms_are_read_however_people_type_them(client, world, mobile, room):
    register(client, world, mobile=mobile, room=room)

    volunteer = Volunteer.objects.get()
    assert (volunteer.mobile, volunteer.room, volunteer.resident) == ("13912345678", "3-501", world.resident)


def test_a_resident_of_the_room_is_found_by_mobile_number_when_the_name_differs(client, world):
    register(client, world, name="张老三", mobile=world.resident.phone)

    assert Volunteer.objects.get().resident == world.resident


def test_a_room_of_a_building_without_units_is_found_written_with_the_building(client, world):
    building = BuildingFactory(zone=world.zone, number="20")
    household = HouseholdFactory(building=building, unit="", room="301")
    resident = ResidentFactory(household=household, name="赵六")

    register(client, world, name="赵六", building=str(building.pk), room="20-301")

    assert (Volunteer.objects.get().room, Volunteer.objects.get().resident) == ("301", resident)


def test_a_room_typed_without_its_unit_is_found_when_one_unit_has_it(client, world):
    register(client, world, room="501")

    assert (Volunteer.objects.get().room, Volunteer.objects.get().resident) == ("3-501", world.resident)


def test_a_room_typed_without_its_unit_that_several_units_have_asks_which(client, world):
    HouseholdFactory(building=world.building, unit="1", room="501")

    page = register(client, world, room="501")

    assert page.context["form"].errors["room"] == [
        "Building 12 has a room 501 in units 1、3: write yours with its unit, like 1-501."
    ]
    assert not Volunteer.objects.exists()


def test_someone_not_on_the_room_s_register_is_registered_unmatched(client, world):
    register(client, world, name="钱七")

    assert Volunteer.objects.get().resident is None


def test_a_cadre_registers_with_an_office_and_no_building(client, world):
    register(client, world, source=Source.CADRE, organisation="区民政局", building="", room="")

    volunteer = Volunteer.objects.get()
    assert (volunteer.source, volunteer.organisation, volunteer.building, volunteer.room) == (
        Source.CADRE,
        "区民政局",
        None,
        "",
    )


def test_the_thank_you_page_says_who_reviews_and_how_they_will_tell(client, world):
    thanks = client.get(register(client, world).url)

    html = thanks.content.decode()
    assert "The committee of 金杨居民区 will review your registration" in html
    assert "a code comes by text message" in html
    assert reverse("volunteers:phone_login") in html


def test_a_second_registration_by_the_same_mobile_while_waiting_updates_the_first(client, world):
    register(client, world)
    again = register(client, world, mobile="+86 13912345678", age="36", skills=["medical"], room="3-501")

    volunteer = Volunteer.objects.get()
    assert (volunteer.registrations, volunteer.age, volunteer.skills) == (2, 36, ["medical"])
    assert again.url == register(client, world, mobile="13700000001").url  # the same page as a new number


def test_the_thank_you_page_tells_nobody_whether_the_number_had_registered(client, world):
    def page():  # less the CSRF token, masked anew on every response
        html = client.get(register(client, world).url).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)

    first, again = page(), page()

    assert first == again
    assert "nobody is registered twice" in again


def test_the_same_mobile_in_another_community_is_another_volunteer(client, world):
    register(client, world)
    far = registration.join_settings(world.far_building.compound)
    data = filled_in(world, building=str(world.far_building.pk))
    client.post(join_url(far), data, REMOTE_ADDR=an_address())

    assert sorted(Volunteer.objects.values_list("community__name", flat=True)) == ["金杨居民区", "长宁居民区"]


def test_an_approved_volunteer_s_details_are_not_changed_by_the_anonymous_form(client, world):
    register(client, world, age="35", skills=["medical"])
    Volunteer.objects.update(status=Status.APPROVED)
    approved = Volunteer.objects.values("name", "age", "skills", "building", "room", "resident").get()

    register(client, world, name="冒名者", age="70", skills=[], building=str(world.other_building.pk), room="1-101")

    volunteer = Volunteer.objects.get()
    assert (volunteer.status, volunteer.registrations) == (Status.APPROVED, 2)
    assert Volunteer.objects.values("name", "age", "skills", "building", "room", "resident").get() == approved


def test_a_declined_volunteer_registering_again_waits_for_approval_again(client, world):
    register(client, world)
    Volunteer.objects.update(status=Status.DECLINED, decline_reason="满员")

    register(client, world)

    assert Volunteer.objects.values_list("status", "registrations").get() == (Status.PENDING, 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "\u200b\u200b"}, "name", "This field is required."),
        ({"mobile": "12345"}, "mobile", "Enter an 11-digit mainland mobile number"),
        ({"mobile": "021-58001234"}, "mobile", "Enter an 11-digit mainland mobile number"),
        ({"age": "7"}, "age", "Volunteers are 14 to 100 years old"),
        ({"age": "200"}, "age", "Volunteers are 14 to 100 years old"),
        ({"age": "thirty"}, "age", "Enter a whole number."),
        ({"room": "9-909"}, "room", "Building 12 has no room 9-909 on the register"),
        ({"room": "13-1-101"}, "room", "13-1-101 is in building 13, but you chose Building 12"),
        ({"room": "楼上"}, "room", "Write the room as on the door"),
        ({"room": ""}, "room", "Enter your room."),
        ({"building": ""}, "building", "Residents choose their building."),
        ({"building": "999999"}, "building", "Select a valid choice."),
        ({"skills": ["driver", "juggler"]}, "skills", "juggler is not one of the choices"),
        ({"availability": ["midnight"]}, "availability", "midnight is not one of the choices"),
        ({"source": "tourist"}, "source", "tourist is not one of the choices"),
        ({"source": Source.PARTY_MEMBER}, "organisation", "Enter your office or party branch."),
    ],
)
def test_bad_input_is_told_beside_its_field_and_nothing_is_saved(client, world, changes, field, message):
    page = register(client, world, **changes)

    assert page.status_code == 200
    assert any(message in error for error in page.context["form"].errors[field]), page.context["form"].errors
    assert message in page.content.decode().replace("&#x27;", "'")
    assert not Volunteer.objects.exists()


def test_a_wrong_form_says_at_its_top_what_to_put_right_with_a_link_to_each_field(client, world):
    page = register(client, world, age="7", name="").content.decode()

    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert "Put right 2 fields:" in summary
    assert '<a href="#id_age">age</a>: Volunteers are 14 to 100 years old' in summary
    assert '<a href="#id_name">name</a>: This field is required.' in summary


def test_an_age_typed_in_full_width_digits_is_read(client, world):
    register(client, world, age="３５")

    assert Volunteer.objects.get().age == 35


def test_a_building_of_another_compound_is_not_a_choice(client, world):
    page = register(client, world, building=str(world.far_building.pk))

    assert "building" in page.context["form"].errors
    assert not Volunteer.objects.exists()


def test_registrations_from_one_address_are_limited_with_a_message(client, world, settings):
    settings.VOLUNTEER_REGISTRATIONS_PER_ADDRESS_HOUR = 3
    for n in range(3):
        register(client, world, address="203.0.113.9", mobile=f"1391234560{n}")

    refused = register(client, world, address="203.0.113.9", mobile="13912345609")
    elsewhere = register(client, world, address="203.0.113.10", mobile="13912345609")

    assert "Too many registrations from this network in the last hour" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert Volunteer.objects.count() == 4


def test_behind_the_proxy_the_limit_counts_the_client_s_address_not_the_proxy_s(client, world, settings):
    settings.VOLUNTEER_REGISTRATIONS_PER_ADDRESS_HOUR = 1
    settings.PROXY_HOPS = 1
    place = place_of(world)
    for n, client_address in enumerate(["198.51.100.1", "198.51.100.2"]):
        # What the client wrote itself (the first entry) is not trusted.
        forwarded = f"6.6.6.6, {client_address}"
        data = filled_in(world, mobile=f"1381234560{n}")
        client.post(join_url(place), data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    again = filled_in(world, mobile="13812345609")
    refused = client.post(join_url(place), again, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.1")

    assert Volunteer.objects.count() == 2
    assert "Too many registrations" in refused.content.decode()


def test_200_registrations_each_issue_as_many_queries_as_the_first(client, world):
    place = place_of(world)
    counts = []
    for n in range(200):
        data = filled_in(world, name=f"志愿者{n}", mobile=f"136{n:08d}", room="3-501" if n % 2 else "1-101")
        data["building"] = str(world.building.pk if n % 2 else world.other_building.pk)
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(join_url(place), data, REMOTE_ADDR=an_address())
        assert answer.status_code == 302
        counts.append(len(queries))

    assert Volunteer.objects.count() == 200
    assert max(counts) == min(counts)
    assert Volunteer.objects.filter(resident__isnull=False).count() == 0  # nobody of those names lives there


@pytest.mark.django_db(transaction=True)
def test_two_registrations_by_one_mobile_at_once_make_one_volunteer_registered_twice(world, on_postgres):
    place = registration.join_place(place_of(world).join_token)

    def submit(age):
        def work():
            entry = registration.Registration(
                name="张三",
                mobile="13912345678",
                age=age,
                source=Source.RESIDENT,
                building=world.building,
                room="3-501",
            )
            return registration.volunteer_register(place=place, registration=entry, address=an_address())

        return work

    writers = at_once(submit(35), submit(36))

    assert [writer.error for writer in writers] == [None, None]
    assert sorted(created for _volunteer, created in (writer.result for writer in writers)) == [False, True]
    assert Volunteer.objects.values_list("registrations", flat=True).get() == 2


def test_staff_print_the_poster_with_the_link_and_its_qr_code(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    compound = world.building.compound

    page = client.get(reverse("volunteers:poster", args=[compound.pk]))

    html = page.content.decode()
    link = "http://testserver" + join_url(CompoundSettings.objects.get(compound=compound))
    assert page.status_code == 200
    assert link in html
    assert '<svg viewBox="' in html
    assert 'class="qr-code"' in html
    assert "Volunteer registration" in html
    assert "What to bring" in html
    assert "金杨新村" in html
    assert "data-print" in html


def test_the_qr_code_is_drawn_in_the_page_and_fetches_nothing(world):
    svg = registration.qr_code("https://lockdown.example.org/join/abc/")

    assert svg.startswith("<svg")
    assert "href" not in svg
    assert "<image" not in svg


def test_staff_close_and_open_registration_from_the_poster(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    compound = world.building.compound
    place = place_of(world)

    client.post(reverse("volunteers:poster_joining", args=[compound.pk]), {"joining_open": "0"})
    closed = client.get(join_url(place))
    client.post(reverse("volunteers:poster_joining", args=[compound.pk]), {"joining_open": "1"})
    opened = client.get(join_url(place))

    assert "Registration is closed" in closed.content.decode()
    assert opened.context["form"] is not None


def test_a_new_link_stops_the_old_one(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    old = place_of(world)

    client.post(reverse("volunteers:poster_new_link", args=[old.compound.pk]))
    client.logout()
    new = place_of(world)

    assert new.join_token != old.join_token
    assert client.get(join_url(old)).status_code == 404
    assert client.get(join_url(new)).status_code == 200
    assert register(client, world).status_code == 302


def test_a_leader_may_neither_close_registration_nor_renew_the_link(world):
    leader = world.users[Role.BUILDING_LEADER]
    compound = world.building.compound

    with pytest.raises(NotPermitted):
        registration.joining_set(actor=leader, compound=compound, joining_open=False)
    with pytest.raises(NotPermitted):
        registration.join_link_renew(actor=leader, compound=compound)

    assert place_of(world).joining_open


def test_the_service_refuses_a_building_of_another_compound(world):
    place = registration.join_place(place_of(world).join_token)
    entry = registration.Registration(
        name="王五", mobile="13912345678", age=40, source=Source.RESIDENT, building=world.far_building, room="3-501"
    )

    with pytest.raises(ServiceError, match="Choose a building of 金杨新村") as refused:
        registration.volunteer_register(place=place, registration=entry, address=an_address())

    assert refused.value.field == "building"
    assert not Volunteer.objects.exists()
