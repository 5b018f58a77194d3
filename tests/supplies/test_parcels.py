"""A parcel's way through the gate: received, disinfected, held, ready; back from a building and
into the next wave. Each move guarded and recorded."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from households.models import Role
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from supplies import deliveries, gate, waves
from supplies.models import GateSettings, Parcel, ParcelEvent
from tests.supplies.parcels import past_hold, receive, staff_of, states, wave_out

pytestmark = pytest.mark.django_db
State = Parcel.State
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def test_a_parcel_received_at_the_gate_is_recorded_for_its_household_with_its_step(world):
    parcel = receive(world, medicine=True, note=" 顺丰 尾号1234 ")

    assert (parcel.state, parcel.household, parcel.building, parcel.compound) == (
        State.RECEIVED,
        world.household,
        world.building,
        world.building.compound,
    )
    assert (parcel.medicine, parcel.cold_chain, parcel.note) == (True, False, "顺丰 尾号1234")
    step = ParcelEvent.objects.get(parcel=parcel)
    assert (step.from_state, step.to_state, step.actor) == ("", State.RECEIVED, staff_of(world))


def test_a_phone_number_written_on_a_parcel_is_kept_masked_for_the_volunteers_who_carry_it(world):
    parcel = receive(world, note="收件人 张三 139-1234-5678")

    assert parcel.note == "收件人 张三 139****5678"


def test_nobody_records_a_parcel_for_a_household_outside_their_areas(world):
    volunteer = world.users[Role.VOLUNTEER]  # covers building 12 only

    with pytest.raises(NotPermitted):
        gate.parcel_receive(actor=volunteer, household=world.other_household)

    assert not Parcel.objects.exists()


def test_a_photo_is_kept_and_a_file_that_is_no_photo_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    parcel = receive(world, photo=SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg"))
    assert parcel.photo.name.startswith("parcels/")

    with pytest.raises(ServiceError, match="not a photo"):
        receive(world, photo=SimpleUploadedFile("p.jpg", b"<html>", content_type="image/jpeg"))
    assert Parcel.objects.count() == 1


def test_disinfection_starts_the_compounds_hold(world):
    GateSettings.objects.create(compound=world.building.compound, hold_minutes=90)
    parcels = [receive(world), receive(world)]
    before = timezone.now()

    count = gate.parcels_disinfect(actor=staff_of(world), compound=world.building.compound)

    assert count == 2
    for parcel in Parcel.objects.filter(pk__in=[p.pk for p in parcels]):
        assert parcel.state == State.DISINFECTED
        assert (
            before + datetime.timedelta(minutes=90)
            <= parcel.hold_until
            <= timezone.now() + datetime.timedelta(minutes=90)
        )
    assert ParcelEvent.objects.filter(to_state=State.DISINFECTED).count() == 2


def test_only_the_committee_disinfects_and_runs_waves(world):
    receive(world)
    leader = world.users[Role.BUILDING_LEADER]

    with pytest.raises(NotPermitted):
        gate.parcels_disinfect(actor=leader, compound=world.building.compound)
    with pytest.raises(NotPermitted):
        waves.wave_plan(actor=leader, compound=world.building.compound, name="上午", starts_at=timezone.now())

    assert states(*Parcel.objects.all()) == [State.RECEIVED]


def test_a_parcel_is_not_ready_before_its_hold_ends(world):
    parcel = receive(world)
    gate.parcels_disinfect(actor=staff_of(world), compound=world.building.compound)

    assert gate.parcels_release(now=timezone.now() + datetime.timedelta(minutes=119)) == 0
    assert states(parcel) == [State.DISINFECTED]
    assert gate.parcels_release(now=timezone.now() + datetime.timedelta(minutes=121)) == 1
    assert states(parcel) == [State.READY]
    step = ParcelEvent.objects.filter(parcel=parcel).last()
    assert (step.from_state, step.to_state, step.actor) == (State.DISINFECTED, State.READY, None)


def test_a_wave_takes_no_parcel_still_on_hold(world):
    held = receive(world)
    gate.parcels_disinfect(actor=staff_of(world), compound=world.building.compound)
    wave = waves.wave_plan(
        actor=staff_of(world), compound=world.building.compound, name="上午", starts_at=timezone.now()
    )

    assert waves.wave_load(actor=staff_of(world), wave=wave) == 0
    with pytest.raises(ServiceError, match="no parcels"):
        waves.wave_dispatch(actor=staff_of(world), wave=wave)
    assert states(held) == [State.DISINFECTED]


def test_a_hold_of_zero_makes_parcels_ready_at_disinfection(world):
    GateSettings.objects.create(compound=world.building.compound, hold_minutes=0)
    parcel = receive(world)

    gate.parcels_disinfect(actor=staff_of(world), compound=world.building.compound)

    assert states(parcel) == [State.READY]


def test_a_parcel_is_not_disinfected_twice(world):
    receive(world)
    compound = world.building.compound
    assert gate.parcels_disinfect(actor=staff_of(world), compound=compound) == 1

    assert gate.parcels_disinfect(actor=staff_of(world), compound=compound) == 0
    assert ParcelEvent.objects.filter(to_state=State.DISINFECTED).count() == 1


def test_a_hold_outside_a_day_is_refused(world):
    with pytest.raises(ServiceError, match="1,440"):
        gate.gate_hold_set(actor=staff_of(world), compound=world.building.compound, minutes=1441)
    assert not GateSettings.objects.exists()


def test_a_parcel_returned_keeps_its_reason_and_goes_in_the_next_wave(world):
    parcel = receive(world)
    past_hold(world)
    first = wave_out(world)
    volunteer = world.users[Role.VOLUNTEER]

    deliveries.parcel_return(actor=volunteer, parcel=parcel, reason="家中无人")

    parcel.refresh_from_db()
    assert (parcel.state, parcel.return_reason, parcel.wave) == (State.RETURNED, "家中无人", first)
    assert ParcelEvent.objects.filter(parcel=parcel).last().why == "家中无人"
    gate.parcel_requeue(actor=staff_of(world), parcel=parcel)
    second = wave_out(world, name="下午")
    parcel.refresh_from_db()
    assert (parcel.state, parcel.wave) == (State.OUT, second)


def test_a_return_without_a_reason_is_refused(world):
    parcel = receive(world)
    past_hold(world)
    wave_out(world)

    with pytest.raises(ServiceError, match="why"):
        deliveries.parcel_return(actor=world.users[Role.VOLUNTEER], parcel=parcel, reason="  ")
    assert states(parcel) == [State.OUT]


def test_a_parcel_is_not_returned_before_it_went_out(world):
    parcel = receive(world)

    with pytest.raises(TransitionLost):
        deliveries.parcel_return(actor=world.users[Role.VOLUNTEER], parcel=parcel, reason="家中无人")
    assert states(parcel) == [State.RECEIVED]


def test_a_parcel_recorded_by_mistake_is_taken_back_by_its_recorder_only(world):
    parcel = receive(world)

    with pytest.raises(ServiceError):
        gate.parcel_undo(actor=world.users[Role.STREET_ADMIN], parcel=parcel)
    gate.parcel_undo(actor=staff_of(world), parcel=parcel)

    assert not Parcel.objects.exists()
    assert not ParcelEvent.objects.exists()


def test_a_parcel_disinfected_is_not_taken_back(world):
    parcel = receive(world)
    gate.parcels_disinfect(actor=staff_of(world), compound=world.building.compound)

    with pytest.raises(ServiceError, match="ten minutes"):
        gate.parcel_undo(actor=staff_of(world), parcel=parcel)
    assert states(parcel) == [State.DISINFECTED]
