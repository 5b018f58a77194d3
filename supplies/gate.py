"""The gate: a parcel recorded for a household as it arrives, a tray of them disinfected at once,
held for the compound's hold time, then ready for a wave; one brought back from a building waits
here for the next wave.

    parcel = parcel_receive(actor=gatekeeper, household=household, medicine=True, photo=upload)
    parcels_disinfect(actor=gatekeeper, compound=compound)   # every parcel received so far
    parcels_release(now=timezone.now())                     # the beat task: holds that are over
    parcel_requeue(actor=gatekeeper, parcel=parcel)         # a returned parcel, for the next wave

Who works the gate: recording a parcel needs the household in the account's areas (the room is
found in its scope); the gate's other work is the committee's (staff and street admins).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import mask_numbers_in
from lockdown.core.transitions import transition, transition_all

from . import uploads
from .models import GateSettings, Parcel, ParcelEvent

State = Parcel.State
UNDO_WITHIN = datetime.timedelta(minutes=10)


def require_gate(actor, compound) -> None:
    """Only the compound's committee (its staff, the street's admins) runs its gate."""
    if not AreaScope.for_user(actor).may_edit_community(compound.community):
        raise NotPermitted(_("Only the committee's staff run this compound's gate."))


def hold_of(compound) -> datetime.timedelta:
    minutes = GateSettings.objects.filter(compound=compound).values_list("hold_minutes", flat=True).first()
    return datetime.timedelta(minutes=settings.PARCEL_HOLD_MINUTES if minutes is None else minutes)


@transaction.atomic
def gate_hold_set(*, actor, compound, minutes: int) -> None:
    require_gate(actor, compound)
    if not 0 <= minutes <= 24 * 60:
        raise ServiceError(_("A hold is from 0 to 1,440 minutes (a day)."), field="hold_minutes")
    GateSettings.objects.update_or_create(compound=compound, defaults={"hold_minutes": minutes})


@transaction.atomic
def parcel_receive(
    *, actor, household, medicine=False, cold_chain=False, fragile=False, note="", photo=None, scope=None
) -> Parcel:
    """A parcel arrived at the gate for `household` (one the actor's areas hold; `scope`: the
    actor's, when the caller has it already)."""
    scope = scope or AreaScope.for_user(actor)
    if scope.role_for(household) is None:
        raise NotPermitted(_("This room is not in your areas."))
    if photo is not None:
        uploads.require_photo(photo)
    building = household.building
    parcel = Parcel.objects.create(
        household=household,
        building=building,
        compound_id=building.compound_id,
        community_id=building.community_id,
        medicine=medicine,
        cold_chain=cold_chain,
        fragile=fragile,
        note=mask_numbers_in(note.strip()),  # volunteers read it, and the labels: never a whole number
        photo=photo or "",
        received_at=timezone.now(),
        received_by=actor,
    )
    ParcelEvent.objects.create(
        parcel=parcel, from_state="", to_state=State.RECEIVED, actor=actor, at=parcel.received_at
    )
    return parcel


@transaction.atomic
def parcel_undo(*, actor, parcel) -> None:
    """A parcel recorded by mistake (the wrong room): taken back by whoever recorded it, while it is
    still only received and within ten minutes. Anything later is a return, with its reason."""
    recent = timezone.now() - UNDO_WITHIN
    rows = Parcel.objects.filter(pk=parcel.pk, received_by=actor, state=State.RECEIVED, received_at__gte=recent)
    if not rows.select_for_update().exists():
        raise ServiceError(
            _("Only a parcel you recorded in the last ten minutes, not yet disinfected, can be taken back.")
        )
    ParcelEvent.objects.filter(parcel=parcel).delete()
    rows.delete()


def parcels_disinfect(*, actor, compound, ids=None) -> int:
    """The compound's received parcels (or those of `ids`) are disinfected: each is held from now
    for the compound's hold time. Returns how many; one another disinfected meanwhile is left out."""
    require_gate(actor, compound)
    now = timezone.now()
    parcels = Parcel.objects.filter(compound=compound)
    if ids is not None:
        parcels = parcels.filter(pk__in=ids)
    hold = hold_of(compound)
    moved = transition_all(
        parcels,
        field="state",
        from_states=State.RECEIVED,
        to_state=State.DISINFECTED,
        by=actor,
        event=ParcelEvent,
        also={"hold_until": now + hold},
        at=now,
    )
    if moved and not hold:
        parcels_release(compound=compound, now=now)
    return len(moved)


def parcels_release(*, compound=None, now=None) -> int:
    """Parcels whose hold is over are ready for a wave (the beat task each minute, and each wave as
    it is loaded, so that none waits for the beat). Returns how many."""
    now = now or timezone.now()
    parcels = Parcel.objects.filter(hold_until__lte=now)
    if compound is not None:
        parcels = parcels.filter(compound=compound)
    held = transition_all(
        parcels, field="state", from_states=State.DISINFECTED, to_state=State.READY, by=None, event=ParcelEvent, at=now
    )
    return len(held)


def parcel_requeue(*, actor, parcel) -> Parcel:
    """A parcel back at the gate goes in the next wave again (its reason stays in its history)."""
    require_gate(actor, parcel.compound)
    also = {"wave": None, "destination": "", "carried_by": None, "finished_at": None}
    transition(
        Parcel.objects,
        parcel.pk,
        field="state",
        from_states=State.RETURNED,
        to_state=State.READY,
        by=actor,
        event=ParcelEvent,
        also=also,
        why=_("In the next wave again"),
    )
    return Parcel.objects.get(pk=parcel.pk)
