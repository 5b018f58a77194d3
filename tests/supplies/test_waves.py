"""Waves: what a wave takes, the order of its sorting view (priority first in every building), each
parcel's door or shelf, and the task each building's run becomes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import ControlLevel, Role, Tag
from lockdown.core.errors import ServiceError
from lockdown.core.transitions import TransitionLost
from supplies import deliveries, gate, rules, selectors, waves
from supplies.models import BuildingDelivery, Destination, Parcel, Wave
from tests.concurrency import first_then
from tests.households.factories import HouseholdFactory, ResidentFactory, ResidentTagFactory
from tests.supplies.parcels import past_hold, receive, staff_of, states, wave_out
from tests.volunteers.phone_world import make_volunteer
from volunteers.models import Task

pytestmark = pytest.mark.django_db
State = Parcel.State


def household(world, room, unit="1", building=None):
    return HouseholdFactory(building=building or world.building, unit=unit, room=room)


def on_care_list(world, room, tag=Tag.AGED_80):
    home = household(world, room)
    ResidentTagFactory(resident=ResidentFactory(household=home), tag=tag)
    return home


def test_a_buildings_parcels_are_sorted_priority_first_then_by_room(world):
    plain = receive(world, household(world, "101"))
    fragile = receive(world, household(world, "102"), fragile=True)
    care = receive(world, on_care_list(world, "601"))
    cold = receive(world, household(world, "502"), cold_chain=True)
    medicine = receive(world, household(world, "701"), medicine=True)
    early_plain = receive(world, household(world, "100", unit="1"))
    past_hold(world)
    wave = wave_out(world)

    order = [parcel.pk for parcel in selectors.run_parcels(wave, world.building)]

    assert order == [medicine.pk, cold.pk, care.pk, early_plain.pk, plain.pk, fragile.pk]


@pytest.mark.parametrize("tag", rules.CARE_TAGS)
def test_each_care_list_tag_puts_a_household_first(world, tag):
    plain = receive(world, household(world, "101"))
    care = receive(world, on_care_list(world, "901", tag=tag))
    past_hold(world)
    wave = wave_out(world)

    assert [p.pk for p in selectors.run_parcels(wave, world.building)] == [care.pk, plain.pk]


def test_a_chronic_illness_alone_is_not_the_care_list(world):
    plain = receive(world, household(world, "101"))
    chronic = receive(world, on_care_list(world, "901", tag=Tag.CHRONIC))
    past_hold(world)
    wave = wave_out(world)

    assert [p.pk for p in selectors.run_parcels(wave, world.building)] == [plain.pk, chronic.pk]


def test_a_wave_takes_the_ready_parcels_of_its_compound_only(two_compounds):
    world = two_compounds
    here = receive(world)
    elsewhere = receive(world, world.second_household)  # 金杨二村, the same committee's
    past_hold(world)
    gate.parcels_disinfect(actor=staff_of(world), compound=world.second_building.compound)
    gate.parcels_release(now=timezone.now() + datetime.timedelta(days=1))

    wave_out(world)

    assert states(here, elsewhere) == [State.OUT, State.READY]
    assert Parcel.objects.get(pk=elsewhere.pk).wave is None


def test_two_waves_never_share_a_parcel(world):
    parcel = receive(world)
    past_hold(world)
    staff, compound = staff_of(world), world.building.compound
    first = waves.wave_plan(actor=staff, compound=compound, name="上午", starts_at=timezone.now())
    second = waves.wave_plan(actor=staff, compound=compound, name="下午", starts_at=timezone.now())

    assert waves.wave_load(actor=staff, wave=first) == 1
    assert waves.wave_load(actor=staff, wave=second) == 0
    assert Parcel.objects.get(pk=parcel.pk).wave == first


def test_a_wave_goes_out_once(world):
    receive(world)
    past_hold(world)
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name="上午", starts_at=timezone.now())
    waves.wave_load(actor=staff, wave=wave)
    waves.wave_dispatch(actor=staff, wave=wave)

    with pytest.raises(TransitionLost, match="before you"):  # not "no parcels": who sent it, and when
        waves.wave_dispatch(actor=staff, wave=wave)
    with pytest.raises(ServiceError, match="gone out"):
        waves.wave_load(actor=staff, wave=wave)
    assert Task.objects.filter(kind=waves.KIND).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_wave_sent_out_while_it_is_loaded_waits_and_takes_the_parcels_loaded(world, on_postgres):
    receive(world)
    past_hold(world)
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name="上午", starts_at=timezone.now())

    loading, sending, blocked = first_then(
        lambda: waves.wave_load(actor=staff, wave=wave), lambda: waves.wave_dispatch(actor=staff, wave=wave)
    )

    assert blocked, "sending out did not wait for the loading"
    assert (loading.error, sending.error) == (None, None)
    assert (loading.result, sending.result) == (1, 1)
    assert states(*Parcel.objects.all()) == [State.OUT]


def test_each_buildings_run_is_a_task_for_its_volunteers(world):
    receive(world, medicine=True)
    receive(world)
    receive(world, world.other_household)
    past_hold(world)

    wave = wave_out(world)

    tasks = {task.building_id: task for task in Task.objects.filter(kind=waves.KIND)}
    assert set(tasks) == {world.building.pk, world.other_building.pk}
    task = tasks[world.building.pk]
    assert task.title == "上午 · Parcels for Building 12: 2 (1 first)"
    assert task.link == f"/v/runs/{wave.pk}/{world.building.pk}/"
    assert task.due_at == wave.starts_at + waves.RUN_TIME


def test_a_wave_sent_out_late_in_the_evening_is_on_its_volunteers_phone_with_the_run(world, client, monkeypatch):
    ten_pm = datetime.datetime.combine(timezone.localdate(), datetime.time(22), timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: ten_pm)
    volunteer = make_volunteer(world, [world.building])
    receive(world)
    past_hold(world)
    wave = wave_out(world, name="晚上")

    client.force_login(volunteer.user)
    html = client.get(reverse("volunteers:today")).content.decode()

    assert "晚上 · Parcels for Building 12: 1" in html
    assert f'href="{reverse("supplies:run", args=[wave.pk, world.building.pk])}"' in html


@pytest.mark.parametrize(
    ("building_level", "compound_level", "chosen", "goes"),
    [
        (ControlLevel.SEALED, "", "", Destination.DOOR),
        (ControlLevel.CONTROLLED, "", "", Destination.SHELF),
        (ControlLevel.PRECAUTION, "", "", Destination.SHELF),
        ("", ControlLevel.CONTROLLED, "", Destination.SHELF),
        ("", ControlLevel.SEALED, "", Destination.DOOR),
        ("", "", "", Destination.DOOR),
        (ControlLevel.SEALED, "", Destination.SHELF, Destination.SHELF),
        (ControlLevel.CONTROLLED, "", Destination.DOOR, Destination.DOOR),
    ],
)
def test_a_buildings_parcels_go_to_the_door_or_shelf_by_its_level_unless_staff_chose(
    world, building_level, compound_level, chosen, goes
):
    world.building.control_level = building_level
    world.building.save()
    world.building.compound.control_level = compound_level
    world.building.compound.save()
    if chosen:
        waves.building_delivery_set(
            actor=staff_of(world), building=world.building, destination=chosen, shelf_place="", route_position=None
        )
    parcel = receive(world)
    past_hold(world)

    wave_out(world)

    assert Parcel.objects.get(pk=parcel.pk).destination == goes


def test_a_loaded_wave_says_door_or_shelf_while_it_is_sorted_and_as_the_route_stands_when_it_goes(world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    parcel = receive(world)
    past_hold(world)
    staff = staff_of(world)
    wave = waves.wave_plan(actor=staff, compound=world.building.compound, name="上午", starts_at=timezone.now())

    waves.wave_load(actor=staff, wave=wave)

    assert [row.destination for row in selectors.run_parcels(wave, world.building)] == [Destination.SHELF]
    waves.building_delivery_set(
        actor=staff, building=world.building, destination=Destination.DOOR, shelf_place="", route_position=None
    )
    waves.wave_dispatch(actor=staff, wave=wave)
    assert Parcel.objects.get(pk=parcel.pk).destination == Destination.DOOR


def test_priority_parcels_go_to_the_door_from_a_shelf_building(world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    plain = receive(world, household(world, "101"))
    medicine = receive(world, household(world, "102"), medicine=True)
    cold = receive(world, household(world, "103"), cold_chain=True)
    care = receive(world, on_care_list(world, "104"))
    past_hold(world)

    wave_out(world)

    goes = dict(Parcel.objects.values_list("pk", "destination"))
    assert goes == {
        plain.pk: Destination.SHELF,
        medicine.pk: Destination.DOOR,
        cold.pk: Destination.DOOR,
        care.pk: Destination.DOOR,
    }


def test_the_sorting_view_lists_buildings_in_the_routes_order(world):
    receive(world)
    receive(world, world.other_household, medicine=True)
    staff = staff_of(world)
    waves.building_delivery_set(
        actor=staff, building=world.other_building, destination="", shelf_place="", route_position=1
    )
    waves.building_delivery_set(actor=staff, building=world.building, destination="", shelf_place="", route_position=2)
    past_hold(world)
    wave = wave_out(world)

    rows = selectors.wave_buildings(wave)

    assert [(row.pk, row.parcels, row.first, row.out) for row in rows] == [
        (world.other_building.pk, 1, 1, 1),
        (world.building.pk, 1, 0, 1),
    ]
    assert rows[1].covered_by == ["volunteer"]  # the world's volunteer: an account with no record


def test_a_wave_building_counts_its_first_its_shelf_and_what_came_of_its_parcels(world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    shelved = [receive(world, household(world, room)) for room in ("101", "102", "103")]
    care = receive(world, on_care_list(world, "601"))
    receive(world, household(world, "701"), medicine=True)
    receive(world, household(world, "702"), cold_chain=True)
    past_hold(world)
    wave = wave_out(world)
    staff = staff_of(world)
    deliveries.parcel_return(actor=staff, parcel=care, reason="家中无人")
    deliveries.parcels_hand_over(actor=staff, wave=wave, building=world.building, ids=[shelved[0].pk])

    [row] = selectors.wave_buildings(wave)

    assert (row.parcels, row.first, row.shelf) == (6, 3, 3)
    assert (row.out, row.done, row.returned) == (4, 1, 1)


def test_a_wave_named_by_nothing_is_refused(world):
    with pytest.raises(ServiceError, match="Name the wave"):
        waves.wave_plan(actor=staff_of(world), compound=world.building.compound, name="  ", starts_at=timezone.now())
    assert not Wave.objects.exists()


def test_a_wave_for_a_day_gone_by_is_refused_and_one_late_today_is_not(world):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ServiceError, match="is past: a wave goes out today or later"):
        waves.wave_plan(actor=staff_of(world), compound=world.building.compound, name="上午", starts_at=yesterday)
    assert not Wave.objects.exists()
    early = datetime.datetime.combine(timezone.localdate(), datetime.time(0, 1), timezone.get_current_timezone())
    waves.wave_plan(actor=staff_of(world), compound=world.building.compound, name="上午", starts_at=early)


def test_a_choice_of_destination_that_is_none_is_refused(world):
    with pytest.raises(ServiceError):
        waves.building_delivery_set(
            actor=staff_of(world), building=world.building, destination="roof", shelf_place="", route_position=None
        )
    assert not BuildingDelivery.objects.exists()


def test_a_building_leader_may_not_change_the_route(world):
    with pytest.raises(ServiceError):
        waves.building_delivery_set(
            actor=world.users[Role.BUILDING_LEADER],
            building=world.building,
            destination="shelf",
            shelf_place="",
            route_position=None,
        )
    assert not BuildingDelivery.objects.exists()
