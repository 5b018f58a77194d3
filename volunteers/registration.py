"""Registration by a compound's link (the poster's QR code): anyone with the link fills in the form
on a phone, without an account; staff open and close it, or make a new link.

A second form from the same mobile number in the same community is the same volunteer, also when
both arrive at once: the row is found or made under the constraint volunteer_unique_mobile, then
counted in one statement. The form is anonymous, so it replaces only details that staff have yet
to review (a volunteer waiting, or declined and asking again); an approved volunteer's stay as
approved, and the answer is the same as for a new number, telling nobody which numbers registered.
"""

import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from households import rooms
from households.models import Building, Compound, Household, Resident
from households.scoping import AreaScope
from lockdown.core import throttle
from lockdown.core.errors import NotPermitted, ServiceError

from .choices import Source
from .models import CompoundSettings, Volunteer

Status = Volunteer.Status
TOKEN_BYTES = 12  # 16 characters in the link: short enough to type from a poster, never guessed
ROOMS_SHOWN = 10  # the units named when a room typed without its unit is in several


@dataclass(frozen=True)
class Registration:
    """What a person typed on the form, cleaned (forms.registration.RegistrationForm)."""

    name: str
    mobile: str  # 11 digits
    age: int
    source: str
    organisation: str = ""
    skills: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    building: Building | None = None
    room: str = ""  # as typed: 3-501, 3单元501室, 501


def join_settings(compound: Compound) -> CompoundSettings:
    """The compound's volunteering settings, made with a fresh link the first time they are needed."""
    found, _created = CompoundSettings.objects.get_or_create(
        compound=compound, defaults={"join_token": secrets.token_urlsafe(TOKEN_BYTES)}
    )
    return found


def join_place(token: str) -> CompoundSettings | None:
    """The settings whose link `token` is, with their compound and community; None for a link that
    is not (or no longer) any compound's."""
    return CompoundSettings.objects.select_related("compound__community").filter(join_token=token).first()


def qr_code(link: str) -> str:
    """The link as a QR code, an <svg> element to put in the page: drawn here, nothing fetched from
    elsewhere, sharp at any size it is printed."""
    return segno.make(link, error="m").svg_inline(omitsize=True, border=2, svgclass="qr-code")


def joining_set(*, actor, compound: Compound, joining_open: bool) -> CompoundSettings:
    """Open or close the compound's registration; its link stays the same."""
    _require_staff(actor, compound)
    place = join_settings(compound)
    CompoundSettings.objects.filter(pk=place.pk).update(joining_open=joining_open)
    place.joining_open = joining_open
    return place


def join_link_renew(*, actor, compound: Compound) -> CompoundSettings:
    """A new link for the compound's poster: the old one stops working at once."""
    _require_staff(actor, compound)
    place = join_settings(compound)
    place.join_token = secrets.token_urlsafe(TOKEN_BYTES)
    CompoundSettings.objects.filter(pk=place.pk).update(join_token=place.join_token)
    return place


def volunteer_register(*, place: CompoundSettings, registration: Registration, address) -> tuple[Volunteer, bool]:
    """The volunteer as registered at `place` (the compound's settings, from join_place), and whether
    they are new. Refused, writing nothing, when registration is closed, when `address` has
    registered too often this hour, or when the room is not one of the building's.

    A registration by a mobile number already registered in the community is counted on that
    volunteer: one waiting gets the new details, a declined one gets them and waits for approval
    again, an approved one keeps the details staff approved."""
    if not place.joining_open:
        raise ServiceError(_("Registration is closed for now."))
    compound = place.compound
    if registration.building is not None and registration.building.compound_id != compound.pk:
        raise ServiceError(_("Choose a building of %(compound)s.") % {"compound": compound}, field="building")
    unit, room, household = _room_of(registration.building, registration.room)
    limit = settings.VOLUNTEER_REGISTRATIONS_PER_ADDRESS_HOUR
    if not throttle.take("volunteer-registration", str(address), limit=limit, seconds=3600):
        raise ServiceError(
            _(
                "Too many registrations from this network in the last hour. Try again later, or "
                "call the committee at %(phone)s."
            )
            % {"phone": compound.community.phone or "—"}
        )
    values = {
        "compound": compound,
        "name": registration.name,
        "age": registration.age,
        "source": registration.source,
        "organisation": "" if registration.source == Source.RESIDENT else registration.organisation,
        "skills": list(registration.skills),
        "availability": list(registration.availability),
        "building": registration.building,
        "room": "-".join(part for part in (unit, room) if part),
        "resident": _resident_of(household, registration.name, registration.mobile),
    }
    with transaction.atomic():
        volunteer, created = Volunteer.objects.get_or_create(
            community=compound.community, mobile=registration.mobile, defaults=values
        )
        if not created:
            # One statement each, whoever else registered this number meanwhile: the count always,
            # the details only while nobody has approved them.
            counted = Volunteer.objects.filter(pk=volunteer.pk)
            counted.update(registrations=F("registrations") + 1, updated_at=timezone.now())
            counted.exclude(status=Status.APPROVED).update(**values, status=Status.PENDING)
            volunteer.refresh_from_db()
    return volunteer, created


def _room_of(building, typed) -> tuple[str, str, Household | None]:
    """(unit, room, household) of the room typed in `building`; refused when the building has no
    such room. No building: no room."""
    if building is None:
        return "", "", None
    parts = rooms.split_room(typed, has_building=True)
    if parts is None:
        raise ServiceError(_("Write the room as on the door: 3-501, or 501 where there are no units."), field="room")
    number, unit, room = parts
    if number and number != building.number:
        message = _("%(room)s is in building %(typed)s, but you chose %(chosen)s: choose your own building.")
        raise ServiceError(message % {"room": typed, "typed": number, "chosen": building}, field="room")
    meant = Q(unit=unit, room=room)
    if unit == building.number:  # "12-501" under building 12 of no units: its room 501, not unit 12's
        meant |= Q(unit="", room=room)
    if not unit:  # "501" where one unit of the building has a 501
        meant |= Q(room=room)
    households = list(Household.objects.filter(meant, building=building).order_by("unit", "id")[:ROOMS_SHOWN])
    exact = [household for household in households if household.unit == unit]
    if exact or len(households) == 1:
        household = (exact or households)[0]
        return household.unit, household.room, household
    if households:
        message = _("%(building)s has a room %(room)s in units %(units)s: write yours with its unit, like %(example)s.")
        units = "、".join(household.unit for household in households)
        example = f"{households[0].unit}-{room}"
        raise ServiceError(
            message % {"building": building, "room": room, "units": units, "example": example}, field="room"
        )
    message = _("%(building)s has no room %(room)s on the register. Check the room, or ask the committee.")
    raise ServiceError(message % {"building": building, "room": typed}, field="room")


def _resident_of(household, name, mobile) -> Resident | None:
    """The current resident of the household the volunteer is: by name and mobile, else by name,
    else by mobile number; None when nobody there is."""
    if household is None:
        return None
    people = list(Resident.objects.current().filter(Q(name=name) | Q(phone=mobile), household=household))
    ranked = sorted(people, key=lambda person: (person.name != name, person.phone != mobile, person.pk))
    return ranked[0] if ranked else None


def _require_staff(actor, compound):
    if not AreaScope.for_user(actor).may_edit_community(compound.community):
        raise NotPermitted(_("Only the committee's staff open registration and make its link."))
