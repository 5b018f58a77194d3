"""Every write to the register. Each records who changed what in the household's history."""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.identity import (
    ID_ERRORS,
    mask_id_number,
    mask_phone,
    normalise_mobile,
    parse_mainland_id,
    to_halfwidth,
)

from . import id_conflicts
from .models import (
    AuditEvent,
    Building,
    Change,
    ControlLevel,
    ControlLevelChange,
    DocumentType,
    Household,
    Presence,
    Resident,
    ResidentTag,
    Tag,
)
from .residents import is_80_plus, latest_80_plus_birth_date, room_label, search_fields
from .scoping import AreaScope
from .versions import refuse_if_stale

SENSITIVE = {"id_number": mask_id_number, "phone": mask_phone}


@dataclass(frozen=True)
class TagInput:
    note: str = ""
    condition: str = ""
    medicine: str = ""
    due_date: datetime.date | None = None


@dataclass(frozen=True)
class ResidentInput:
    name: str
    sex: str = ""
    document_type: str = DocumentType.MAINLAND_ID
    id_number: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    relation: str = ""
    party_member: bool = False
    notes: str = ""
    tags: dict[str, TagInput] = field(default_factory=dict)


def _require_editor(actor, household, message):
    if not AreaScope.for_user(actor).permissions_for(household).edit:
        raise ServiceError(message)


def _clean_resident(data):
    """Normalise and check what a person typed; return the field values for the model."""
    name = to_halfwidth(data.name).strip()
    if not name:
        raise ServiceError(_("Enter the resident's name."), field="name")
    values = {
        "name": name,
        "sex": data.sex,
        "document_type": data.document_type,
        "id_number": to_halfwidth(data.id_number).strip().upper().replace(" ", ""),
        "birth_date": data.birth_date,
        "phone": "",
        "relation": data.relation,
        "party_member": data.party_member,
        "notes": data.notes.strip(),
    }
    if values["id_number"] and data.document_type == DocumentType.MAINLAND_ID:
        try:
            info = parse_mainland_id(values["id_number"])
        except ValueError as error:
            raise ServiceError(_(ID_ERRORS[str(error)]), field="id_number") from None
        if data.birth_date and data.birth_date != info.birth_date:
            raise ServiceError(_("The birth date does not match the ID number."), field="birth_date")
        if data.sex and data.sex != info.sex:
            raise ServiceError(_("The sex does not match the ID number."), field="sex")
        values.update(id_number=info.number, birth_date=info.birth_date, sex=info.sex)
    if data.phone.strip():
        try:
            values["phone"] = normalise_mobile(data.phone)
        except ValueError:
            raise ServiceError(
                _("%(value)s is not a mobile number: a mobile number has 11 digits and starts with 1.")
                % {"value": data.phone},
                field="phone",
            ) from None
    if values["birth_date"] and values["birth_date"] > timezone.localdate():
        raise ServiceError(_("The birth date is in the future."), field="birth_date")
    unknown = set(data.tags) - set(Tag.values)
    if unknown:
        raise ServiceError(_("Unknown key-population tag: %(tags)s") % {"tags": ", ".join(sorted(unknown))})
    return values


def _derived(values):
    return search_fields(name=values["name"], id_number=values["id_number"], phone=values["phone"])


def history_value(field_name, value):
    if value is None:
        return ""
    if field_name in SENSITIVE:
        return SENSITIVE[field_name](value)
    return str(value)


def _record(*, actor, household, resident, action, changes):
    """One history entry, with the version of the resident (or of the household, for its own change) it made."""
    Change.objects.create(
        community_id=household.community_id,
        household=household,
        resident=resident,
        actor=actor,
        action=action,
        changes=changes,
        version=(resident or household).version,
    )


def _apply_tags(resident, tags, birth_date):
    """Make the resident's tags exactly `tags`; return {tag: [before, after]} for history."""
    tags = dict(tags)
    if birth_date is not None:  # 80+ follows the birth date when it is known
        if is_80_plus(birth_date, timezone.localdate()):
            tags.setdefault(Tag.AGED_80, TagInput())
        else:
            tags.pop(Tag.AGED_80, None)
    current = {t.tag: t for t in resident.tags.all()}
    changes = {}
    for tag in current.keys() - tags.keys():
        current[tag].delete()
        changes[f"tag:{tag}"] = [True, False]
    for tag, detail in tags.items():
        row = current.get(tag) or ResidentTag(
            resident=resident, community_id=resident.community_id, building_id=resident.building_id, tag=tag
        )
        new = {"note": detail.note, "condition": detail.condition, "medicine": detail.medicine}
        new["due_date"] = detail.due_date
        if row.pk and all(getattr(row, k) == v for k, v in new.items()):
            continue
        if not row.pk:
            changes[f"tag:{tag}"] = [False, True]
        # Each detail changed is named in the history, so that an edit read before it sees it (versions.py).
        for k, v in new.items():
            if getattr(row, k) != v and (row.pk or v):
                changes[f"tag:{tag}:{k}"] = [history_value(k, getattr(row, k)), history_value(k, v)]
            setattr(row, k, v)
        row.save()
    return changes


def _save_unique(resident, update_fields=None):
    try:
        with transaction.atomic():
            resident.save(update_fields=update_fields)
    except IntegrityError:
        others = Resident.objects.filter(document_type=resident.document_type, id_number=resident.id_number)
        holder = others.exclude(pk=resident.pk).first()
        if holder is None:
            raise ServiceError(str(id_conflicts.ALREADY_REGISTERED), field="id_number") from None
        attempt = id_conflicts.attempt_in(resident.household, resident.name, resident, source="form")
        raise id_conflicts.IdNumberTaken(holder=holder, attempt=attempt) from None


@transaction.atomic
def household_create(*, actor, building: Building, unit: str, room: str, notes: str = "") -> Household:
    household = Household(
        building=building, community_id=building.community_id, unit=_as_room(unit), room=_as_room(room), notes=notes
    )
    _require_editor(actor, household, _("You may not add households to this building."))
    _refuse_dashes(household, ("unit", "room"))
    household = _save_household(household)
    _record(actor=actor, household=household, resident=None, action=Change.Action.CREATED, changes={})
    return household


@transaction.atomic
def household_update(
    *, actor, household: Household, unit: str, room: str, notes: str, read_version: int | None = None
) -> Household:
    """Change the household's room and notes; refused (StaleEdit) if it changed since the form read
    `read_version`."""
    _require_editor(actor, household, _("You may not change this household."))
    household.refresh_from_db(from_queryset=Household.objects.select_for_update())
    own_changes = Change.objects.filter(household=household, resident=None)
    refuse_if_stale(current_version=household.version, read_version=read_version, history=own_changes)
    before = {"unit": household.unit, "room": household.room, "notes": household.notes}
    household.unit, household.room, household.notes = _as_room(unit), _as_room(room), notes
    changes = {k: [v, getattr(household, k)] for k, v in before.items() if v != getattr(household, k)}
    if not changes:
        return household
    _refuse_dashes(household, [name for name in ("unit", "room") if name in changes])
    household.version += 1
    household = _save_household(household)
    _record(actor=actor, household=household, resident=None, action=Change.Action.UPDATED, changes=changes)
    return household


def _as_room(text):
    """A unit or room number as the register writes it (１０１ → 101)."""
    return to_halfwidth(text).strip()


def _refuse_dashes(household, names):
    """1-101 typed as the room, with no unit, would be a second 12-1-101 beside unit 1's room 101.
    Checked where typed: a room an earlier version stored with a dash can still have its notes edited."""
    for name in names:
        if "-" in getattr(household, name):
            raise ServiceError(
                _("Write the unit and the room each in its own field, without a dash: unit 1, room 101."), field=name
            )


def _save_household(household):
    if not household.room:
        raise ServiceError(_("Enter the room number."), field="room")
    clash = ServiceError(
        _("Room %(label)s already exists in this building.") % {"label": household.label}, field="room"
    )
    same_room = Household.objects.filter(building=household.building, unit=household.unit, room=household.room)
    if same_room.exclude(pk=household.pk).exists():
        raise clash
    # The same room added by someone else a moment ago, after the check above: the table's
    # constraint (household_unique_room) refuses the second insert, which waited for the first's
    # commit. In a savepoint, so that the caller's transaction goes on; only that clash is the
    # person's message, and the room is there now to say so. Any other refusal is a fault.
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        if not same_room.exclude(pk=household.pk).exists():
            raise
        raise clash from None
    return household


@id_conflicts.reports_id_conflicts  # outside the transaction: the record outlives its rollback
@transaction.atomic
def resident_create(*, actor, household: Household, data: ResidentInput) -> Resident:
    _require_editor(actor, household, _("You may not add residents to this household."))
    values = _clean_resident(data)
    resident = Resident(
        household=household,
        community_id=household.community_id,
        building_id=household.building_id,
        **values,
        **_derived(values),
    )
    _save_unique(resident)
    tag_changes = _apply_tags(resident, data.tags, values["birth_date"])
    changes = {k: [None, history_value(k, v)] for k, v in values.items() if v not in ("", None, False)}
    _record(
        actor=actor,
        household=household,
        resident=resident,
        action=Change.Action.CREATED,
        changes=changes | tag_changes,
    )
    return resident


@id_conflicts.reports_id_conflicts
@transaction.atomic
def resident_update(*, actor, resident: Resident, data: ResidentInput, read_version: int | None = None) -> Resident:
    """Write the edit form's fields and tags; refused (StaleEdit) if any of them changed since the
    form read `read_version`."""
    # Lock and reread the row: a move or a presence mark may have landed since the form was shown,
    # and only the fields the form edits are written back.
    resident.refresh_from_db(from_queryset=Resident.objects.select_for_update())
    household = resident.household
    _require_editor(actor, household, _("You may not change this resident."))
    refuse_if_stale(
        current_version=resident.version, read_version=read_version, history=Change.objects.filter(resident=resident)
    )
    values = _clean_resident(data)
    changes = {
        k: [history_value(k, getattr(resident, k)), history_value(k, v)]
        for k, v in values.items()
        if getattr(resident, k) != v
    }
    changes |= _apply_tags(resident, data.tags, values["birth_date"])
    if not changes:
        return resident
    written = values | _derived(values)
    for k, v in written.items():
        setattr(resident, k, v)
    resident.version += 1
    _save_unique(resident, update_fields=[*written, "version", "updated_at"])
    _record(actor=actor, household=household, resident=resident, action=Change.Action.UPDATED, changes=changes)
    return resident


def _move_labels(origin: Household, to: Household) -> list[str]:
    """The rooms a move's history names: with their compounds where the move crosses from one to another."""
    if origin.building.compound_id == to.building.compound_id:
        return [origin.label, to.label]
    return [room_label(h.building.number, h.unit, h.room, h.building.compound.name) for h in (origin, to)]


@transaction.atomic
def resident_move(*, actor, resident: Resident, to_household: Household) -> Resident:
    resident.refresh_from_db(from_queryset=Resident.objects.select_for_update())
    origin = resident.household
    _require_editor(actor, origin, _("You may not move this resident."))
    _require_editor(actor, to_household, _("You may not move residents to a household outside your areas."))
    if to_household.pk == origin.pk:
        raise ServiceError(_("The resident already lives in %(label)s.") % {"label": origin.label})
    resident.household = to_household
    resident.community_id, resident.building_id = to_household.community_id, to_household.building_id
    resident.version += 1
    resident.save(update_fields=["household", "community", "building", "version", "updated_at"])
    rows_follow_resident(resident)
    move = {"household": _move_labels(origin, to_household)}
    _record(actor=actor, household=origin, resident=resident, action=Change.Action.MOVED_OUT, changes=move)
    _record(actor=actor, household=to_household, resident=resident, action=Change.Action.MOVED_IN, changes=move)
    return resident


# What else follows a resident who moves: each part whose rows copy a resident's building (to be
# scoped by it: a campaign's recipients, a parcel to deliver) adds its function here from its
# AppConfig.ready, and the register calls it without knowing the part. An explicit list rather
# than a signal, so that who moves what is read here and in the part's apps.py.
_MOVE_FOLLOWERS = []


def follow_resident_moves(follower):
    """Have `follower(resident)` called, in the move's transaction, after the resident's household,
    community and building change (resident_move, an import that moves residents)."""
    if follower not in _MOVE_FOLLOWERS:  # Django may run an AppConfig.ready more than once
        _MOVE_FOLLOWERS.append(follower)
    return follower


def rows_follow_resident(resident: Resident):
    """Rows that copy a resident's place, to be scoped by it (key-population tags, and the other
    parts' rows: follow_resident_moves), follow the resident who moves: the new building's leader
    sees them, the old's no more."""
    resident.tags.update(community_id=resident.community_id, building_id=resident.building_id)
    for follower in _MOVE_FOLLOWERS:
        follower(resident)


@transaction.atomic
def resident_set_presence(*, actor, resident: Resident, presence: str) -> Resident:
    if presence not in Presence.values:
        raise ServiceError(_("Choose where the resident is."), field="presence")
    if not AreaScope.for_user(actor).permissions_for(resident.household).mark_presence:
        raise NotPermitted(_("You may not mark this resident's presence."))
    # Lock the row so two leaders marking at once both land in history in order.
    current = Resident.objects.select_for_update().get(pk=resident.pk)
    if current.presence == presence:
        return current
    resident.version = current.version + 1
    Resident.objects.filter(pk=resident.pk).update(
        presence=presence, version=resident.version, updated_at=timezone.now()
    )
    _record(
        actor=actor,
        household=resident.household,
        resident=resident,
        action=Change.Action.PRESENCE,
        changes={"presence": [current.presence, presence]},
    )
    resident.presence = presence
    return resident


def resident_reveal(*, actor, resident: Resident, field_name: str, ip_address=None) -> str:
    """Return the unmasked number and record that this person looked at it."""
    permissions = AreaScope.for_user(actor).permissions_for(resident.household)
    allowed = {"id_number": permissions.reveal_id, "phone": permissions.reveal_phone}
    if field_name not in allowed:
        raise ServiceError(_("Choose the ID number or the phone number."), field="field")
    if not allowed[field_name]:
        raise NotPermitted(_("Your role may not see this number."))
    action = AuditEvent.Action.REVEAL_ID if field_name == "id_number" else AuditEvent.Action.REVEAL_PHONE
    AuditEvent.objects.create(actor=actor, action=action, resident=resident, ip_address=ip_address)
    return getattr(resident, field_name)


@transaction.atomic
def control_level_set(*, actor, area, level: str, note: str = ""):
    """Set a compound's or a building's control level, keeping the history."""
    if level and level not in ControlLevel.values:
        raise ServiceError(_("Choose a control level."), field="level")
    if not AreaScope.for_user(actor).may_edit_community(area.community):
        raise NotPermitted(_("You may not change this area's control level."))
    if area.control_level == level:
        return area
    kind = "building" if isinstance(area, Building) else "compound"
    ControlLevelChange.objects.create(
        **{kind: area}, level=level, previous=area.control_level, note=note, changed_by=actor
    )
    area.control_level = level
    area.save(update_fields=["control_level"])
    return area


def refresh_age_tags(today=None) -> int:
    """Tag everyone who has turned 80 since the last run; return how many were tagged."""
    cutoff = latest_80_plus_birth_date(today or timezone.localdate())
    untagged = (
        Resident.objects.current()
        .filter(birth_date__lte=cutoff)
        .exclude(tags__tag=Tag.AGED_80)
        .values_list("pk", "community_id", "building_id")
    )
    created = ResidentTag.objects.bulk_create(
        [
            ResidentTag(resident_id=pk, community_id=community_id, building_id=building_id, tag=Tag.AGED_80)
            for pk, community_id, building_id in untagged.iterator()
        ],
        ignore_conflicts=True,
    )
    return len(created)
