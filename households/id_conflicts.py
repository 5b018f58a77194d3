"""An ID number typed or imported that is already another resident's.

An ID number is on one register only, so a number on another community's register cannot be saved.
Whoever may see that resident is told where the number is; anyone else is told only that it cannot
be saved here (neither the name, the community nor the room, and not even that it is registered),
and the attempt is recorded as an AuditEvent for the street admins, who see both sides and sort it
out. Otherwise typing numbers into the form would tell staff who lives in other communities.
"""

import functools

from django.db.models import Q
from django.utils.translation import gettext_lazy

from lockdown.core.errors import ServiceError

from .models import AuditEvent, Community, Household, Resident, Role, room_label
from .scoping import AreaScope, Permissions

ALREADY_REGISTERED = gettext_lazy("A resident with this ID number is already on the register.")
REGISTERED_AS = gettext_lazy(
    "This ID number is already on the register as %(name)s, %(room)s: check the number, or move that resident here."
)
NOT_HERE = gettext_lazy(
    "This ID number cannot be saved here. The street office has been told and will sort it out with your "
    "committee; meanwhile check the number with the resident, or save the resident without it."
)
NOT_IMPORTED_HERE = gettext_lazy(
    "This ID number cannot be imported here. The street office has been told and will sort it out with your "
    "committee; meanwhile check the number with the resident."
)
ID_CONFLICT = AuditEvent.Action.ID_CONFLICT
STREET_ADMIN = Permissions.for_role(Role.STREET_ADMIN)  # who sorts the conflicts out


class IdNumberTaken(ServiceError):
    """The number is `holder`'s (another resident). The service raising it does not know who is
    asking; `reports_id_conflicts` turns it into what the asker may be told."""

    def __init__(self, *, holder: Resident, attempt: dict):
        super().__init__(str(ALREADY_REGISTERED), field="id_number")
        self.holder, self.attempt = holder, attempt


def attempt(community: Community, room: str, name: str, **more) -> dict:
    """What was being saved, as the record keeps it for the street admin: where, the room, the name."""
    return {"community": community.pk, "community_name": str(community), "household": room, "name": name} | more


def attempt_in(household: Household, name: str, resident: Resident | None = None, **more) -> dict:
    """The attempt of a resident form, in `household`."""
    building = household.building
    label = room_label(building.number, household.unit, household.room, building.compound.name)
    return attempt(building.community, label, name, resident=resident.pk if resident and resident.pk else None, **more)


def reports_id_conflicts(service):
    """Wrap a write service taking `actor`: an IdNumberTaken leaving it (after its transaction rolled
    back) is recorded and told as the actor may be told it."""

    @functools.wraps(service)
    def wrapper(*args, actor, **kwargs):
        try:
            return service(*args, actor=actor, **kwargs)
        except IdNumberTaken as taken:
            raise id_conflict_error(actor=actor, holder=taken.holder, attempt=taken.attempt) from None

    return wrapper


def holders_seen_by(actor, holder_ids) -> set:
    """The residents among `holder_ids` whom the actor sees through a role that reads ID numbers (and
    so may be told of): a volunteer's building does not tell its volunteer whose number it is."""
    residents = AreaScope.for_user(actor).reading("id_number").filter(Resident.objects.filter(pk__in=holder_ids))
    return set(residents.values_list("pk", flat=True))


def id_conflict_error(*, actor, holder: Resident, attempt: dict) -> ServiceError:
    if holders_seen_by(actor, [holder.pk]):
        return ServiceError(REGISTERED_AS % {"name": holder.name, "room": holder_room(holder)}, field="id_number")
    id_conflict_record(actor=actor, holder_id=holder.pk, attempt=attempt)
    return ServiceError(str(NOT_HERE), field="id_number")


def holder_room(holder: Resident) -> str:
    """Where the register has the number's resident: the community and the room."""
    household = holder.household
    building = household.building
    return f"{building.community} {room_label(building.number, household.unit, household.room, building.compound.name)}"


def id_conflict_record(*, actor, holder_id: int, attempt: dict) -> None:
    AuditEvent.objects.create(actor=actor, action=ID_CONFLICT, resident_id=holder_id, detail=attempt)


def id_conflicts_record_import(*, actor, job, conflicts: list[tuple[int, dict]]) -> None:
    """Record an import's attempts, (holder id, attempt) each, in one statement; once per holder and
    job, as a file is read again for its preview, its decisions and its confirmation."""
    if not conflicts:
        return
    recorded = set(
        AuditEvent.objects.filter(action=ID_CONFLICT, detail__import_job=job.pk).values_list("resident_id", flat=True)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=actor, action=ID_CONFLICT, resident_id=holder_id, detail=attempt)
        for holder_id, attempt in dict(conflicts).items()
        if holder_id not in recorded
    )


def id_conflicts_for(scope: AreaScope):
    """The recorded conflicts a street admin sees: those whose register's resident, or whose
    attempt, is in their streets (not in the areas of their other roles). Empty for anyone else."""
    if not scope.sees_id_conflicts:
        return AuditEvent.objects.none()
    streets = AreaScope(street_ids=scope.street_ids, is_global=scope.is_global)
    residents = streets.filter(Resident.objects.all()).values("pk")
    communities = list(streets.filter(Community.objects.all()).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(action=ID_CONFLICT).filter(
        Q(resident__in=residents) | Q(detail__community__in=communities)
    )
    return events.select_related("actor", "resident__household__building__compound", "resident__community")


def holder_id_number(event) -> str:
    """The register's ID number of a conflict as the street admin reads it (scoping.FIELDS)."""
    holder = event.resident
    return STREET_ADMIN.read("id_number", holder.id_number) if holder else ""
