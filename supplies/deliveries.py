"""A building's run of a wave, on the volunteer's phone: the parcels handed over one by one or all
together (to the door, or onto the shelf, as each parcel's destination says), or brought back to
the gate with a reason. A household whose parcels were put on the shelf is told by SMS, once.

    parcels_hand_over(actor=volunteer, wave=wave, building=building)            # all still out
    parcels_hand_over(actor=volunteer, wave=wave, building=building, ids=[7])  # this one
    parcel_return(actor=volunteer, parcel=parcel, reason="家中无人")

Whoever covers the building (its volunteers and leaders, and staff) may hand its parcels over: a
pair works a building together. Of two marking the same parcel at once, one records it; the run's
task is done when its last parcel is.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Presence, Relation, Resident, building_label
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost, transition, transition_all
from volunteers import notices, task_list
from volunteers.models import Notice, Task

from . import selectors, waves
from .models import Destination, Parcel, ParcelEvent

State = Parcel.State
REASON_MAX = Parcel._meta.get_field("return_reason").max_length
DONE_FOR = {Destination.DOOR: State.DELIVERED, Destination.SHELF: State.ON_SHELF}


def require_covers(actor, building) -> None:
    if AreaScope.for_user(actor).role_for(building) is None:
        raise NotPermitted(_("These parcels are not in your buildings."))


@transaction.atomic
def parcels_hand_over(*, actor, wave, building, ids=None) -> int:
    """The run's parcels still out (or those of `ids`) are handed over, each as its destination
    says. Returns how many this actor recorded. One parcel asked for by id and recorded by someone
    else first raises TransitionLost, naming who; of many, those are left out."""
    require_covers(actor, building)
    run = Parcel.objects.filter(wave=wave, building=building)
    if ids is not None:
        run = run.filter(pk__in=ids)
    now = timezone.now()
    also = {"carried_by": actor, "finished_at": now}
    if ids is not None and len(ids) == 1:
        parcel = run.first()
        if parcel is None:
            raise ServiceError(_("This parcel is not in this run."))
        to_state = DONE_FOR[parcel.destination or Destination.DOOR]
        transition(
            Parcel.objects,
            parcel.pk,
            field="state",
            from_states=State.OUT,
            to_state=to_state,
            by=actor,
            event=ParcelEvent,
            also=also,
            at=now,
        )
        done = {to_state: [parcel.pk]}
    else:
        done = {
            to_state: transition_all(
                run.filter(destination=destination),
                field="state",
                from_states=State.OUT,
                to_state=to_state,
                by=actor,
                event=ParcelEvent,
                also=also,
                at=now,
            )
            for destination, to_state in DONE_FOR.items()
        }
    _tell_shelved(wave, building, done[State.ON_SHELF] if State.ON_SHELF in done else [])
    _finish_run_if_done(wave, building, actor)
    return sum(len(pks) for pks in done.values())


@transaction.atomic
def parcel_return(*, actor, parcel, reason: str) -> Parcel:
    """The parcel comes back to the gate (nobody home, the wrong room, refused …): the reason is
    required, and kept on the parcel and in its step."""
    require_covers(actor, parcel.building)
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Say why the parcel goes back to the gate."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_("Say why in at most 200 characters."), field="reason")
    transition(
        Parcel.objects,
        parcel.pk,
        field="state",
        from_states=State.OUT,
        to_state=State.RETURNED,
        by=actor,
        event=ParcelEvent,
        why=reason,
        also={"return_reason": reason, "carried_by": actor},
    )
    parcel = Parcel.objects.select_related("wave", "building").get(pk=parcel.pk)
    _finish_run_if_done(parcel.wave, parcel.building, actor)
    return parcel


def _finish_run_if_done(wave, building, actor) -> None:
    """The run's task is done once none of its parcels is out; the wave, once none of its runs is."""
    if Parcel.objects.filter(wave=wave, building=building, state=State.OUT).exists():
        return
    task = Task.objects.filter(kind=waves.KIND, source_key=waves.run_key(wave.pk, building.pk)).first()
    if task is not None:
        try:
            task_list.task_done(task=task, by=actor)
        except TransitionLost:  # the last two parcels, handed over at once: the other finished it
            pass
    waves.wave_finish_if_done(wave.pk, by=actor)


def _tell_shelved(wave, building, parcel_ids) -> None:
    """One SMS per household whose parcels were just put on the shelf (to its head's mobile, or
    another resident's at home), saying how many. Keyed by the first of those parcels: parcels
    shelved one tap at a time are each told, and none is told twice."""
    if not parcel_ids:
        return
    counts, first = defaultdict(int), {}
    for household_id, pk in Parcel.objects.filter(pk__in=parcel_ids).values_list("household_id", "pk"):
        counts[household_id] += 1
        first[household_id] = min(pk, first.get(household_id, pk))
    phones = {}
    residents = Resident.objects.filter(household_id__in=counts, presence=Presence.HOME).exclude(phone="")
    for household_id, phone, relation in residents.order_by("id").values_list("household_id", "phone", "relation"):
        if household_id not in phones or relation == Relation.HEAD:
            phones[household_id] = phone
    place = selectors.shelf_place(building)
    where = building_label(building.number)
    rows = [
        Notice(
            community_id=building.community_id,
            key=f"parcel_shelf:{wave.pk}:{household_id}:{first[household_id]}",
            kind=Notice.Kind.PARCEL_SHELF,
            phone=phone,
            params={"count": str(counts[household_id]), "building": where, "place": place or "楼栋快递架"},
        )
        for household_id, phone in phones.items()
    ]
    notices.notices_queue(rows)
