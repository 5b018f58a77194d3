"""The parcel pages: the gate's intake by typed room, the wave's sorting view and its printouts,
the route, and a building's run on the volunteer's phone; who reaches which, bad input, queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import ControlLevel, Resident, Role
from supplies import deliveries, selectors, waves
from supplies.models import BuildingDelivery, Parcel, Wave
from tests.households.factories import BuildingFactory, HouseholdFactory
from tests.supplies.parcels import past_hold, receive, staff_of, wave_out

pytestmark = pytest.mark.django_db
State = Parcel.State


def gate(world):
    return reverse("supplies:gate", args=[world.building.compound.pk])


def record(client, world, room, follow=False, **fields):
    return client.post(gate(world), {"room": room, **fields}, follow=follow)


def test_the_gate_records_a_parcel_by_the_room_typed_with_its_marks(client, world):
    client.force_login(staff_of(world))

    response = record(client, world, "１２－３－５０１", medicine="on", note="顺丰 1234")

    assert response.status_code == 302
    parcel = Parcel.objects.get()
    assert (parcel.household, parcel.medicine, parcel.cold_chain, parcel.note) == (
        world.household,
        True,
        False,
        "顺丰 1234",
    )
    page = client.get(response.url).content.decode()
    assert "Recorded for 12-3-501. medicine" in page
    assert "· 顺丰 1234" in page.split("Your last parcels here")[1]  # the note, to tell two parcels apart


def test_a_room_that_is_not_there_is_said_and_nothing_recorded(client, world):
    client.force_login(staff_of(world))

    response = record(client, world, "12-9-999")

    assert response.status_code == 200
    assert "There is no room 12-9-999 in this community." in response.content.decode()
    assert not Parcel.objects.exists()


def test_a_room_in_two_compounds_is_this_gates_where_it_has_it(client, two_compounds):
    world = two_compounds
    client.force_login(staff_of(world))

    record(client, world, "12-3-501")

    assert Parcel.objects.get().household == world.household  # 金杨新村's gate, not 金杨二村's room


def test_a_room_this_gate_lacks_but_two_others_have_is_asked(client, two_compounds):
    world = two_compounds
    HouseholdFactory(building=world.second_building, unit="3", room="777")
    third = HouseholdFactory(
        building__zone__compound__community=world.community,
        building__zone__compound__name="金杨三村",
        building__number="12",
        unit="3",
        room="777",
    )
    client.force_login(staff_of(world))

    asked = record(client, world, "12-3-777")

    assert "may be any of these 2 households" in asked.content.decode()
    assert not Parcel.objects.exists()
    record(client, world, "12-3-777", household=str(third.pk))
    assert Parcel.objects.get().household == third


def test_a_room_typed_without_its_unit_is_recorded_or_asked_among_the_units(client, world):
    client.force_login(staff_of(world))

    record(client, world, "12-501")  # only unit 3 of building 12 has a 501
    assert Parcel.objects.get().household == world.household
    unit_1 = HouseholdFactory(building=world.building, unit="1", room="501")
    asked = record(client, world, "12-501")

    assert "may be any of these 2 households" in asked.content.decode()
    record(client, world, "12-501", household=str(unit_1.pk))
    assert Parcel.objects.filter(household=unit_1).count() == 1


def test_a_parcel_with_no_room_is_found_by_its_name_or_phones_last_digits(client, world):
    Resident.objects.filter(pk=world.resident.pk).update(phone="13912345678", phone_last4="5678")
    client.force_login(staff_of(world))

    by_name = record(client, world, "张三").content.decode()
    by_phone = record(client, world, "5678").content.decode()

    for asked in (by_name, by_phone):
        assert f'value="{world.household.pk}"' in asked
        assert "12-3-501" in asked
    assert not Parcel.objects.exists()  # a name is never taken for a room without a tap
    record(client, world, "张三", household=str(world.household.pk))
    assert Parcel.objects.get().household == world.household
    nobody = record(client, world, "王五").content.decode()  # 王五 lives in another community
    assert "Nobody here is called or numbered 王五" in nobody


def test_a_volunteer_finds_no_household_by_a_phone_number_they_may_not_read(client, world):
    Resident.objects.filter(pk=world.resident.pk).update(phone="13912345678", phone_last4="5678")
    client.force_login(world.users[Role.VOLUNTEER])

    assert "Nobody here is called or numbered 5678" in record(client, world, "5678").content.decode()
    assert f'value="{world.household.pk}"' in record(client, world, "张三").content.decode()


def test_a_file_that_is_no_photo_is_refused_on_the_form(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_of(world))

    response = record(client, world, "12-3-501", photo=SimpleUploadedFile("x.jpg", b"MZ\x90\x00", "image/jpeg"))

    assert "This file is not a photo" in response.content.decode()
    assert not Parcel.objects.exists()


def test_a_volunteer_records_parcels_of_their_buildings_only(client, world):
    client.force_login(world.users[Role.VOLUNTEER])

    refused = record(client, world, "13-1-101").content.decode()
    record(client, world, "12-3-501")

    assert list(Parcel.objects.values_list("household", flat=True)) == [world.household.pk]
    assert "13-1-101 is not in your areas." in refused  # the door is there; it is another's to record
    assert "李四" not in refused
    assert "There is no room 13-9-999" in record(client, world, "13-9-999").content.decode()
    page = client.get(gate(world)).content.decode()
    assert reverse("supplies:disinfect", args=[world.building.compound.pk]) not in page
    menu = client.get(reverse("households:search")).content.decode().split('class="bottomnav"')[1]
    assert reverse("supplies:gates") in menu  # the phone's menu reaches the gates


def test_the_parcels_back_at_the_gate_are_listed_to_whoever_covers_their_building(client, world):
    for household in (world.household, world.other_household):
        receive(world, household)
    past_hold(world)
    wave_out(world)
    for parcel in Parcel.objects.all():
        deliveries.parcel_return(actor=staff_of(world), parcel=parcel, reason="家中无人")

    client.force_login(world.users[Role.VOLUNTEER])  # of building 12, not 13
    volunteers_gate = client.get(gate(world)).content.decode()
    client.force_login(staff_of(world))
    staffs_gate = client.get(gate(world)).content.decode()

    assert "12-3-501" in volunteers_gate
    assert "13-1-101" not in volunteers_gate
    assert "12-3-501" in staffs_gate
    assert "13-1-101" in staffs_gate


def test_a_gate_outside_the_accounts_areas_is_not_found(client, world):
    client.force_login(staff_of(world))

    assert client.get(reverse("supplies:gate", args=[world.far_building.compound.pk])).status_code == 404


def test_the_disinfect_button_starts_the_hold_and_says_when_they_are_ready(client, world):
    receive(world), receive(world)
    client.force_login(staff_of(world))

    response = client.post(reverse("supplies:disinfect", args=[world.building.compound.pk]), follow=True)

    assert "2 parcels disinfected: ready at" in response.content.decode()
    assert set(Parcel.objects.values_list("state", flat=True)) == {State.DISINFECTED}


def test_staff_plan_load_and_send_out_a_wave_from_its_pages(client, world):
    receive(world, medicine=True), receive(world, world.other_household)
    past_hold(world)
    client.force_login(staff_of(world))
    waves_url = reverse("supplies:waves", args=[world.building.compound.pk])

    planned = client.post(waves_url, {"name": "上午", "starts_at": f"{timezone.localdate():%Y-%m-%d}T09:00"})
    wave = Wave.objects.get()
    assert planned.url == reverse("supplies:wave", args=[wave.pk])
    loaded = client.post(reverse("supplies:wave_load", args=[wave.pk]), follow=True).content.decode()
    assert "2 parcels loaded for sorting." in loaded
    sent = client.post(reverse("supplies:wave_dispatch", args=[wave.pk]), follow=True).content.decode()
    assert "2 parcels out for delivery" in sent
    assert set(Parcel.objects.values_list("state", flat=True)) == {State.OUT}


def test_a_wave_without_a_time_is_refused_on_its_form(client, world):
    client.force_login(staff_of(world))

    response = client.post(reverse("supplies:waves", args=[world.building.compound.pk]), {"name": "上午"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Wave.objects.exists()


def test_the_sorting_view_and_its_printouts_list_a_buildings_parcels_priority_first(client, world):
    plain = receive(world, HouseholdFactory(building=world.building, unit="1", room="101"))
    medicine = receive(world, HouseholdFactory(building=world.building, unit="9", room="901"), medicine=True)
    past_hold(world)
    wave = wave_out(world)
    client.force_login(staff_of(world))

    for name in ("supplies:wave", "supplies:wave_labels", "supplies:wave_sheet"):
        page = client.get(reverse(name, args=[wave.pk]), {"building": world.building.pk}).content.decode()
        assert page.index("12-9-901") < page.index("12-1-101"), name
    assert plain.pk != medicine.pk


def test_a_wave_about_to_go_out_warns_of_the_buildings_nobody_covers(client, world):
    receive(world), receive(world, world.other_household)  # the volunteer covers building 12 only
    past_hold(world)
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name="上午", starts_at=timezone.now())
    waves.wave_load(actor=staff, wave=wave)
    client.force_login(staff)

    page = client.get(reverse("supplies:wave", args=[wave.pk])).content.decode()

    assert "Nobody covers Building 13: sent out" in page
    assert "Building 12:" not in page


def test_staff_take_a_buildings_parcels_out_of_a_wave_still_sorted(client, world):
    kept, taken = receive(world), receive(world, world.other_household)
    past_hold(world)
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name="上午", starts_at=timezone.now())
    waves.wave_load(actor=staff, wave=wave)
    client.force_login(staff)
    page = client.get(reverse("supplies:wave", args=[wave.pk]), {"building": world.other_building.pk})
    assert reverse("supplies:wave_unload", args=[wave.pk]) in page.content.decode()

    response = client.post(
        reverse("supplies:wave_unload", args=[wave.pk]), {"building": world.other_building.pk}, follow=True
    )

    assert "1 parcel of Building 13 taken out" in response.content.decode()
    assert dict(Parcel.objects.values_list("pk", "wave")) == {kept.pk: wave.pk, taken.pk: None}
    assert client.post(reverse("supplies:wave_unload", args=[wave.pk]), {"building": "x"}).status_code == 400


def test_the_wave_pages_are_the_committees_only(client, world):
    receive(world)
    past_hold(world)
    wave = wave_out(world)

    for role in (Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER):
        client.force_login(world.users[role])
        for name in ("supplies:wave", "supplies:wave_labels", "supplies:wave_sheet"):
            assert client.get(reverse(name, args=[wave.pk])).status_code == 404, (role, name)
        for name in ("supplies:wave_load", "supplies:wave_unload", "supplies:wave_dispatch"):
            assert client.post(reverse(name, args=[wave.pk])).status_code == 404, (role, name)
        assert client.get(reverse("supplies:waves", args=[world.building.compound.pk])).status_code == 404
        assert client.get(reverse("supplies:route", args=[world.building.compound.pk])).status_code == 404


def test_the_route_page_saves_a_buildings_shelf_and_place(client, world):
    client.force_login(staff_of(world))

    client.post(
        reverse("supplies:route_set", args=[world.building.pk]),
        {"destination": "shelf", "shelf_place": "一楼大堂", "route_position": "3"},
    )
    wrong = client.post(
        reverse("supplies:route_set", args=[world.other_building.pk]), {"route_position": "第一"}, follow=True
    )

    row = BuildingDelivery.objects.get()
    assert (row.building, row.destination, row.shelf_place, row.route_position) == (
        world.building,
        "shelf",
        "一楼大堂",
        3,
    )
    assert "Enter a whole number." in wrong.content.decode()


def test_a_volunteer_hands_over_their_buildings_parcels_on_the_run_page(client, world):
    first, second = receive(world), receive(world)
    past_hold(world)
    wave = wave_out(world)
    client.force_login(world.users[Role.VOLUNTEER])
    run = reverse("supplies:run", args=[wave.pk, world.building.pk])

    assert "2 parcels still to hand over" in client.get(run).content.decode()
    handed = client.post(reverse("supplies:hand_over", args=[wave.pk, world.building.pk]), {"parcel": first.pk})
    assert handed.url == f"{run}#parcel-{first.pk}"  # back where the volunteer was on a long run
    client.post(reverse("supplies:send_back", args=[second.pk]), {"reason": "家中无人"})

    assert dict(Parcel.objects.values_list("pk", "state")) == {first.pk: State.DELIVERED, second.pk: State.RETURNED}


def test_the_sorting_view_and_the_run_say_when_a_parcel_was_handed_over_in_local_time(client, world):
    parcel = receive(world)
    past_hold(world)
    wave = wave_out(world)
    deliveries.parcels_hand_over(actor=world.users[Role.VOLUNTEER], wave=wave, building=world.building)
    at_ten_past_ten = datetime.datetime(2026, 12, 3, 2, 10, tzinfo=datetime.UTC)  # 10:10 in Shanghai
    Parcel.objects.filter(pk=parcel.pk).update(finished_at=at_ten_past_ten)

    client.force_login(staff_of(world))
    sorting = client.get(reverse("supplies:wave", args=[wave.pk])).content.decode()
    client.force_login(world.users[Role.VOLUNTEER])
    run = client.get(reverse("supplies:run", args=[wave.pk, world.building.pk])).content.decode()

    assert "10:10" in sorting
    assert "10:10" in run


def test_a_parcels_photo_shows_on_the_run_to_whoever_covers_its_building(client, world):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    parcel = receive(world, photo=SimpleUploadedFile("box.svg", jpeg, "image/svg+xml"))
    other = receive(world, world.other_household, photo=SimpleUploadedFile("b.jpg", jpeg, "image/jpeg"))
    past_hold(world)
    wave = wave_out(world)
    client.force_login(world.users[Role.VOLUNTEER])
    photo = reverse("supplies:parcel_photo", args=[parcel.pk])

    assert photo in client.get(reverse("supplies:run", args=[wave.pk, world.building.pk])).content.decode()
    response = client.get(photo)
    assert response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("supplies:parcel_photo", args=[other.pk])).status_code == 404


def test_a_volunteer_sees_no_run_of_a_building_they_do_not_cover(client, world):
    parcel = receive(world, world.other_household)
    past_hold(world)
    wave = wave_out(world)
    client.force_login(world.users[Role.VOLUNTEER])

    assert client.get(reverse("supplies:run", args=[wave.pk, world.other_building.pk])).status_code == 404
    assert client.post(reverse("supplies:hand_over", args=[wave.pk, world.other_building.pk])).status_code == 404
    assert client.post(reverse("supplies:send_back", args=[parcel.pk]), {"reason": "x"}).status_code == 404
    assert Parcel.objects.get().state == State.OUT


def test_a_parcel_id_that_is_no_number_changes_nothing(client, world):
    receive(world)
    past_hold(world)
    wave = wave_out(world)
    client.force_login(world.users[Role.VOLUNTEER])

    response = client.post(reverse("supplies:hand_over", args=[wave.pk, world.building.pk]), {"parcel": "1 OR 1=1"})

    assert response.status_code == 404
    assert Parcel.objects.get().state == State.OUT


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, data or {}).status_code == 200
    return len(queries)


def grow(world, count, start=0):
    for n in range(start, start + count):
        home = HouseholdFactory(building=(world.building, world.other_building)[n % 2], unit="2", room=str(200 + n))
        receive(world, home, medicine=n % 5 == 0, cold_chain=n % 7 == 0)


def test_the_parcel_pages_take_as_many_queries_for_60_parcels_as_for_6(client, world):
    def urls(wave):
        return [
            (gate(world), None),
            (reverse("supplies:waves", args=[world.building.compound.pk]), None),
            (reverse("supplies:wave", args=[wave.pk]), {"building": world.building.pk}),
            (reverse("supplies:wave_labels", args=[wave.pk]), {"building": world.building.pk}),
            (reverse("supplies:wave_sheet", args=[wave.pk]), None),
            (reverse("supplies:route", args=[world.building.compound.pk]), None),
        ]

    grow(world, 6)
    past_hold(world)
    small = wave_out(world)
    client.force_login(staff_of(world))
    few = [count_queries(client, url, data) for url, data in urls(small)]
    client.force_login(world.users[Role.VOLUNTEER])
    few_run = count_queries(client, reverse("supplies:run", args=[small.pk, world.building.pk]))

    grow(world, 60, start=6)
    past_hold(world)
    big = wave_out(world, name="下午")
    client.force_login(staff_of(world))
    many = [count_queries(client, url, data) for url, data in urls(big)]
    client.force_login(world.users[Role.VOLUNTEER])
    many_run = count_queries(client, reverse("supplies:run", args=[big.pk, world.building.pk]))

    assert many == few
    assert many_run == few_run


def test_every_buildings_printouts_take_as_many_queries_for_5_buildings_as_for_2(client, world):
    def printouts(wave):
        names = ("supplies:wave_labels", "supplies:wave_sheet")
        return [count_queries(client, reverse(name, args=[wave.pk])) for name in names]

    grow(world, 4)
    past_hold(world)
    small = wave_out(world)
    for number in range(20, 24):
        building = BuildingFactory(zone=world.building.zone, number=str(number))
        receive(world, HouseholdFactory(building=building, unit="1", room="101"))
    receive(world)
    past_hold(world)
    big = wave_out(world, name="下午")
    client.force_login(staff_of(world))

    assert len(selectors.wave_buildings(big)) == 5
    assert printouts(big) == printouts(small)


def test_a_room_this_gate_has_in_several_units_is_asked_among_this_gates_households_only(client, two_compounds):
    world = two_compounds
    unit_1 = HouseholdFactory(building=world.building, unit="1", room="501")
    client.force_login(staff_of(world))

    asked = record(client, world, "12-501").content.decode()

    assert "may be any of these 2 households" in asked
    assert f'value="{world.second_household.pk}"' not in asked  # 金杨二村's 12-3-501 is another gate's
    record(client, world, "12-501", household=str(unit_1.pk))
    assert Parcel.objects.get().household == unit_1


def test_a_parcel_recorded_for_another_compounds_room_says_which_compound(client, two_compounds):
    world = two_compounds
    client.force_login(staff_of(world))

    page = record(client, world, "金杨二村 12-3-501", follow=True).content.decode()

    assert Parcel.objects.get().household == world.second_household
    assert "Recorded for 金杨二村 12-3-501." in page


def test_the_run_of_a_shelf_building_says_where_its_shelf_is(client, world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    waves.building_delivery_set(
        actor=staff_of(world), building=world.building, destination="", shelf_place="一楼大堂", route_position=None
    )
    receive(world)
    past_hold(world)
    wave = wave_out(world)
    client.force_login(world.users[Role.VOLUNTEER])

    page = client.get(reverse("supplies:run", args=[wave.pk, world.building.pk])).content.decode()

    assert "The shelf: 一楼大堂" in page
