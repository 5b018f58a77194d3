"""A building's run: parcels handed over one by one or together, to the door or onto the shelf
(with an SMS to the household), never twice; the run's task and the wave done with the last one."""

import pytest

from households.models import ControlLevel, Relation, Role
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from supplies import deliveries, waves
from supplies.models import Parcel, ParcelEvent, Wave
from tests.concurrency import at_once
from tests.households.factories import ResidentFactory, user_with_role
from tests.supplies.parcels import past_hold, receive, states, wave_out
from volunteers.models import Notice, Task

State = Parcel.State


def run_task(wave, building):
    return Task.objects.get(kind=waves.KIND, source_key=waves.run_key(wave.pk, building.pk))


@pytest.mark.django_db
def test_a_volunteer_hands_over_one_parcel_at_the_door_with_who_and_when(world):
    first, second = receive(world), receive(world)
    past_hold(world)
    wave = wave_out(world)
    volunteer = world.users[Role.VOLUNTEER]

    count = deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building, ids=[first.pk])

    assert count == 1
    first.refresh_from_db()
    assert (first.state, first.carried_by, first.finished_at is not None) == (State.DELIVERED, volunteer, True)
    assert states(second) == [State.OUT]
    step = ParcelEvent.objects.filter(parcel=first).last()
    assert (step.from_state, step.to_state, step.actor) == (State.OUT, State.DELIVERED, volunteer)
    assert run_task(wave, world.building).state == Task.State.OPEN


@pytest.mark.django_db
def test_the_last_parcel_handed_over_finishes_the_run_and_the_wave(world):
    receive(world), receive(world)
    past_hold(world)
    wave = wave_out(world)

    assert deliveries.parcels_hand_over(actor=world.users[Role.VOLUNTEER], wave=wave, building=world.building) == 2

    assert run_task(wave, world.building).state == Task.State.DONE
    assert Wave.objects.get(pk=wave.pk).state == Wave.State.DONE


@pytest.mark.django_db
def test_a_parcel_is_not_handed_over_twice(world):
    parcel = receive(world)
    past_hold(world)
    wave = wave_out(world)
    volunteer = world.users[Role.VOLUNTEER]
    deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building, ids=[parcel.pk])

    with pytest.raises(TransitionLost, match="volunteer recorded"):
        deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building, ids=[parcel.pk])
    assert deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building) == 0
    assert ParcelEvent.objects.filter(parcel=parcel, to_state=State.DELIVERED).count() == 1


@pytest.mark.django_db
def test_a_volunteer_hands_over_no_parcel_of_a_building_they_do_not_cover(world):
    parcel = receive(world, world.other_household)
    past_hold(world)
    wave = wave_out(world)

    with pytest.raises(NotPermitted):
        deliveries.parcels_hand_over(actor=world.users[Role.VOLUNTEER], wave=wave, building=world.other_building)
    with pytest.raises(NotPermitted):
        deliveries.parcel_return(actor=world.users[Role.VOLUNTEER], parcel=parcel, reason="家中无人")
    assert states(parcel) == [State.OUT]


@pytest.mark.django_db
def test_a_parcel_of_another_run_is_not_handed_over_from_this_one(world):
    other = receive(world, world.other_household)
    past_hold(world)
    wave = wave_out(world)

    with pytest.raises(ServiceError, match="not in this run"):
        deliveries.parcels_hand_over(
            actor=world.users[Role.STREET_ADMIN], wave=wave, building=world.building, ids=[other.pk]
        )
    assert states(other) == [State.OUT]


@pytest.mark.django_db
def test_parcels_put_on_the_shelf_tell_each_household_once_by_its_heads_mobile(world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    head = ResidentFactory(household=world.household, relation=Relation.HEAD, phone="13900000001")
    first, _second = receive(world), receive(world)
    past_hold(world)
    wave = wave_out(world)
    volunteer = world.users[Role.VOLUNTEER]

    deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building)
    deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building)

    assert list(Parcel.objects.values_list("state", flat=True)) == [State.ON_SHELF, State.ON_SHELF]
    notice = Notice.objects.get()
    assert (notice.kind, notice.phone, notice.key) == (
        Notice.Kind.PARCEL_SHELF,
        head.phone,
        f"parcel_shelf:{wave.pk}:{world.household.pk}:{first.pk}",
    )
    assert notice.params == {"count": "2", "building": "Building 12", "place": "楼栋快递架"}


@pytest.mark.django_db
def test_parcels_shelved_one_tap_at_a_time_are_each_told(world):
    world.building.control_level = ControlLevel.CONTROLLED
    world.building.save()
    ResidentFactory(household=world.household, relation=Relation.HEAD, phone="13900000001")
    first, second = receive(world), receive(world)
    past_hold(world)
    wave = wave_out(world)
    volunteer = world.users[Role.VOLUNTEER]

    for parcel in (first, second, first):  # the first tapped again: no second SMS for it
        try:
            deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building, ids=[parcel.pk])
        except ServiceError:
            pass

    counts = [notice.params["count"] for notice in Notice.objects.all()]  # read whole: SQLite's key lookup gives 1
    assert sorted(counts) == ["1", "1"]


@pytest.mark.django_db
def test_parcels_carried_to_the_door_send_no_sms(world):
    receive(world)
    past_hold(world)
    wave = wave_out(world)

    deliveries.parcels_hand_over(actor=world.users[Role.VOLUNTEER], wave=wave, building=world.building)

    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_a_returned_parcel_is_the_last_of_its_run_too(world):
    parcel = receive(world)
    past_hold(world)
    wave = wave_out(world)

    deliveries.parcel_return(actor=world.users[Role.VOLUNTEER], parcel=parcel, reason="家中无人")

    assert run_task(wave, world.building).state == Task.State.DONE
    assert Wave.objects.get(pk=wave.pk).state == Wave.State.DONE


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_marking_the_same_parcel_at_once_make_one_delivery(world, on_postgres):
    parcel = receive(world)
    past_hold(world)
    wave = wave_out(world)
    other = user_with_role(Role.VOLUNTEER, world.building, username="pair")
    volunteers = [world.users[Role.VOLUNTEER], other]

    def hand_over(volunteer):
        return lambda: deliveries.parcels_hand_over(
            actor=volunteer, wave=wave, building=world.building, ids=[parcel.pk]
        )

    writers = at_once(*(hand_over(volunteer) for volunteer in volunteers))

    assert sorted(w.result for w in writers if w.error is None) == [1]
    lost = [w.error for w in writers if w.error is not None]
    assert [type(error) for error in lost] == [TransitionLost]
    assert ParcelEvent.objects.filter(parcel=parcel, to_state=State.DELIVERED).count() == 1
    assert Task.objects.get(kind=waves.KIND).events.filter(to_state=Task.State.DONE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_marking_a_whole_building_at_once_hand_over_each_parcel_once(world, on_postgres):
    parcels = [receive(world) for _ in range(20)]
    past_hold(world)
    wave = wave_out(world)
    other = user_with_role(Role.VOLUNTEER, world.building, username="pair")

    def all_of(volunteer):
        return lambda: deliveries.parcels_hand_over(actor=volunteer, wave=wave, building=world.building)

    writers = at_once(all_of(world.users[Role.VOLUNTEER]), all_of(other))

    assert [w.error for w in writers] == [None, None]
    assert sum(w.result for w in writers) == 20
    assert ParcelEvent.objects.filter(parcel__in=parcels, to_state=State.DELIVERED).count() == 20
    assert Wave.objects.get(pk=wave.pk).state == Wave.State.DONE
