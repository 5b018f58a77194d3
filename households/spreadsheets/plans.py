"""The register side of an import: matching the rows with residents, the diff, and the writes.

`plan_import` compares the rows an importer read with the register and says what is new, what
changes and what is rejected; `write_plan` writes it in bulk inside the caller's transaction.
"""

import datetime
import functools
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from households import id_conflicts
from households.models import (
    Building,
    Change,
    Compound,
    DocumentType,
    Household,
    Presence,
    Resident,
    ResidentTag,
    Tag,
)
from households.residents import SEARCH_FIELDS, is_80_plus, room_label, search_fields, search_values
from households.services import history_value, rows_follow_resident
from households.words import TagDetail
from lockdown.core.bulk import insert_rows

from . import reader
from .duplicates import register_duplicates
from .reader import RESIDENT_IMPORT_FIELDS, ImportRow, RowError

CHUNK = 5000
LEADING_DIGITS = re.compile(r"\d+")


class RegisterChanged(Exception):
    """The register changed between the preview and the write: preview again before confirming."""


@dataclass
class Update:
    resident_id: int
    row: ImportRow
    seen: str  # the resident's updated_at when compared: the write checks that it still is
    fields: dict = field(default_factory=dict)  # name → (before, after)
    household: tuple | None = None  # the household key it moves to
    moved_from: tuple = ("", "")  # the (compound, room label) it moves from
    tags_added: dict = field(default_factory=dict)  # tag → (condition, note, due date)
    tags_removed: set = field(default_factory=set)
    details: dict = field(default_factory=dict)  # tag → {detail field: new value} of an existing tag

    def history(self):
        """The changes as a history entry stores them: field → [before, after], masked."""
        changes = {
            name: [history_value(name, before), history_value(name, after)]
            for name, (before, after) in self.fields.items()
        }
        if self.household:
            (was_in, before), (goes_to, after) = self.moved_from, (self.household[0], room_label(*self.household[1:]))
            if was_in != goes_to:  # the same room number in another compound: say which
                before, after = f"{was_in} {before}", f"{goes_to} {after}"
            changes["household"] = [before, after]
        changes |= {f"tag:{tag}": [False, True] for tag in self.tags_added}
        changes |= {f"tag:{tag}": [True, False] for tag in self.tags_removed}
        return changes

    def preview(self, compound=""):
        """The change as the preview lists it; `compound`: the row's, where the community has several."""
        return {
            "sheet": self.row.sheet,
            "line": self.row.line,
            "name": self.row.name,
            "room": room_label(*self.row.household_key[1:], compound),
            "changes": self.history(),
        }


@dataclass
class Plan:
    new_compounds: list = field(default_factory=list)
    new_buildings: list = field(default_factory=list)  # (compound name, number)
    new_households: list = field(default_factory=list)  # household keys
    creates: list = field(default_factory=list)  # ImportRows
    updates: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    compound: str = ""  # where the rows that name no compound go
    several_compounds: bool = False  # whether the community has (or will have) more than one
    existing_households: int = 0  # households of the register that rows go into
    rows_in_existing: int = 0  # rows that go into those
    duplicates: list = field(default_factory=list)  # rows that match one resident of the register
    resolved: list = field(default_factory=list)  # of those, where the admin kept one
    left_out: int = 0  # rows left out because the admin kept another row of the same resident
    digest: str = ""
    today: datetime.date | None = None  # the reading's: who is 80+ is judged by the day the file was read


@dataclass
class _Register:
    """What the community's register holds, loaded once in a few queries."""

    compounds: dict  # name → id
    buildings: dict  # (compound id, number) → id
    households: dict  # (building id, unit, room) → id
    labels: dict  # household id → (compound name, room label)
    by_document: dict  # (document type, number) → resident tuple
    by_household_name: dict  # (household id, name) → [resident tuple]
    tags: dict  # resident id → {tag: (condition, note, due date)}, in the order of TAG_DETAILS


TAG_DETAILS = ("condition", "note", "due_date")
DETAIL_LENGTHS = {"condition": 100, "note": 200}
RESIDENT_COLUMNS = ("id", "household_id", *RESIDENT_IMPORT_FIELDS, "updated_at")
_ID, _HOUSEHOLD = 0, 1
_FIELD_INDEX = {name: i + 2 for i, name in enumerate(RESIDENT_IMPORT_FIELDS)}
_UPDATED_AT = len(RESIDENT_COLUMNS) - 1


def _load_register(community):
    compounds = dict(Compound.objects.filter(community=community).values_list("name", "id"))
    buildings = {
        (compound_id, number): pk
        for pk, compound_id, number in Building.objects.filter(community=community).values_list(
            "id", "compound_id", "number"
        )
    }
    names = {pk: name for name, pk in compounds.items()}
    places = {pk: (names[compound_id], number) for (compound_id, number), pk in buildings.items()}
    households, labels = {}, {}
    for pk, building_id, unit, room in Household.objects.filter(community=community).values_list(
        "id", "building_id", "unit", "room"
    ):
        households[building_id, unit, room] = pk
        compound, number = places[building_id]
        labels[pk] = (compound, room_label(number, unit, room))
    by_document, by_household_name = {}, defaultdict(list)
    for resident in Resident.objects.filter(community=community).values_list(*RESIDENT_COLUMNS).iterator(CHUNK):
        if resident[_FIELD_INDEX["id_number"]]:
            by_document[resident[_FIELD_INDEX["document_type"]], resident[_FIELD_INDEX["id_number"]]] = resident
        by_household_name[resident[_HOUSEHOLD], resident[_FIELD_INDEX["name"]]].append(resident)
    tags = defaultdict(dict)
    for row in ResidentTag.objects.filter(community=community).values_list("resident_id", "tag", *TAG_DETAILS):
        tags[row[0]][row[1]] = row[2:]
    return _Register(compounds, buildings, households, labels, by_document, by_household_name, tags)


def plan_import(job, reading, on_progress=None, keep=None) -> Plan:
    """Compare the rows with the register: what is new, what changes, what is rejected and why.

    `keep`: the admin's choice among rows that are the same resident (duplicates.Duplicate keys).
    """
    register = _load_register(job.community)
    default_compound = plan_compound(job, reading, register.compounds)
    plan = Plan(errors=list(reading.errors), compound=default_compound, today=reading.today)
    elsewhere = _registered_elsewhere(job.community, reading.rows)
    told = id_conflicts.holders_seen_by(job.created_by, [holder for holder, _area in elsewhere.values()])
    compared, first, twice = [], {}, {}  # resident id → the first row that matches it; → all, where several do
    conflicts = []  # (holder id, attempt) of the numbers on registers the importer does not see
    for checked, row in enumerate(reading.rows, start=1):
        if on_progress and checked % reader.PROGRESS_EVERY == 0:
            on_progress(checked)
        compound = row.compound or default_compound
        key = (compound, row.building, row.unit, row.room)
        household_id = _household_id(register, key)
        document = (row.document_type or DocumentType.MAINLAND_ID, row.id_number)
        resident, error = _match(register, row, document, household_id)
        if error is None and resident is None and row.id_number and document in elsewhere:
            error = _number_elsewhere(job, row, compound, *elsewhere[document], told, conflicts)
        if error:
            plan.errors.append(RowError(row.sheet, row.line, reading.header_of(row.sheet, "name"), error))
            continue
        if resident is not None:
            earlier = first.setdefault(resident[_ID], row)
            if earlier is not row:
                twice[resident[_ID]] = twice.get(resident[_ID]) or [earlier]
                twice[resident[_ID]].append(row)
        compared.append((row, key, household_id, resident))
    id_conflicts.id_conflicts_record_import(actor=job.created_by, job=job, conflicts=conflicts)
    going_on, plan.duplicates, plan.resolved, plan.left_out = register_duplicates(twice, keep or {})
    going_on = {(row.sheet, row.line) for row in going_on}
    new_buildings, new_households = set(), {}
    for row, key, household_id, resident in compared:
        if resident is not None and resident[_ID] in twice and (row.sheet, row.line) not in going_on:
            continue
        if household_id is None:
            new_households.setdefault(key, None)
            if (register.compounds.get(key[0]), row.building) not in register.buildings:
                new_buildings.add((key[0], row.building))
        if resident is None:
            plan.creates.append(row)
            continue
        update = _diff(register, resident, row, key, household_id, reading.today)
        if update is None:
            plan.unchanged += 1
        else:
            plan.updates.append(update)
    plan.new_compounds = sorted({compound for compound, _number in new_buildings} - register.compounds.keys())
    plan.several_compounds = len(register.compounds.keys() | set(plan.new_compounds)) > 1
    plan.existing_households = len({household_id for _r, _k, household_id, _r2 in compared if household_id})
    plan.rows_in_existing = sum(1 for _r, _k, household_id, _r2 in compared if household_id)
    plan.new_buildings = sorted(new_buildings)
    plan.new_households = list(new_households)
    plan.digest = _digest(plan)
    return plan


def plan_compound(job, reading, compounds):
    """The compound of the rows that name none: the admin's choice, else the one the file names (an
    existing compound whose name ends it, 新华路阳光花园 → 阳光花园), else the community's only compound,
    else a new one named after the community. `compounds`: the names of the community's compounds."""
    if job.compound_id:
        return job.compound.name
    if job.compound_name:
        return job.compound_name
    named = reading.compound_named
    if named:
        return next((name for name in sorted(compounds, key=len, reverse=True) if named.endswith(name)), named)
    if len(compounds) == 1:
        return next(iter(compounds))
    return job.community.name


def _household_id(register, key):
    compound, building, unit, room = key
    building_id = register.buildings.get((register.compounds.get(compound), building))
    return register.households.get((building_id, unit, room))


def _match(register, row, document, household_id):
    """(resident tuple or None, error or None): by ID number, else by household and name."""
    if row.id_number and document in register.by_document:
        return register.by_document[document], None
    if household_id is None:
        return None, None
    candidates = register.by_household_name.get((household_id, row.name), [])
    if row.id_number:  # the same name without a number on the register is this person; with another, a namesake
        candidates = [r for r in candidates if not r[_FIELD_INDEX["id_number"]]]
    if len(candidates) > 1:
        return None, _("The register has %(count)s residents named %(name)s in this room: add the ID number.") % {
            "count": len(candidates),
            "name": row.name,
        }
    return (candidates[0] if candidates else None), None


def _registered_elsewhere(community, rows):
    """(document type, number) → (resident id, community name), for the file's numbers on other
    communities' registers."""
    numbers = sorted({row.id_number for row in rows if row.id_number})
    found = {}
    for start in range(0, len(numbers), CHUNK):
        found |= {
            (document_type, number): (pk, name)
            for pk, document_type, number, name in Resident.objects.filter(id_number__in=numbers[start : start + CHUNK])
            .exclude(community=community)
            .values_list("pk", "document_type", "id_number", "community__name")
        }
    return found


def _number_elsewhere(job, row, compound, holder_id, area, told, conflicts):
    """The row's rejection for a number on another community's register: where it is, to whoever
    sees that resident; to anyone else only that it cannot be imported, the attempt added to
    `conflicts` to be recorded for the street admins (households.id_conflicts)."""
    if holder_id in told:
        return _("This ID number is on the register of %(area)s: that committee has to move the resident.") % {
            "area": area
        }
    room = room_label(row.building, row.unit, row.room, compound or "")
    where = {"source": "import", "import_job": job.pk, "sheet": row.sheet, "line": row.line}
    conflicts.append((holder_id, id_conflicts.attempt(job.community, room, row.name, **where)))
    return str(id_conflicts.NOT_IMPORTED_HERE)


def _diff(register, resident, row, key, household_id, today):
    update = Update(resident_id=resident[_ID], row=row, seen=resident[_UPDATED_AT].isoformat())
    for name in RESIDENT_IMPORT_FIELDS:
        before = resident[_FIELD_INDEX[name]]
        after = row.notes_with_remarks(before) if name == "notes" and row.remarks else getattr(row, name)
        if after is not None and after != before:
            update.fields[name] = (before, after)
    if household_id != resident[_HOUSEHOLD]:
        update.household = key
        update.moved_from = register.labels.get(resident[_HOUSEHOLD], ("", ""))
    if row.tags is not None:
        current = register.tags.get(resident[_ID], {})
        wanted = {tag: _tag_values(detail) for tag, detail in row.tags.items()}
        birth_date = row.birth_date or resident[_FIELD_INDEX["birth_date"]]
        if birth_date is not None:
            if is_80_plus(birth_date, today):
                wanted.setdefault(Tag.AGED_80, _tag_values(None))
            else:
                wanted.pop(Tag.AGED_80, None)
        update.tags_added = {tag: values for tag, values in wanted.items() if tag not in current}
        update.tags_removed = set(current) - set(wanted)
        for tag, values in wanted.items():
            # What the file says of a tag it keeps replaces what the register says; nothing said, nothing changes.
            if tag in current and values is not NO_VALUES:
                before = current[tag]
                changed = {TAG_DETAILS[i]: value for i, value in enumerate(values) if value and value != before[i]}
                if changed:
                    update.details[tag] = changed
    if update.fields or update.household or update.tags_added or update.tags_removed or update.details:
        return update
    return None


def _tag_values(detail):
    """A TagDetail (or None) as the columns of a ResidentTag (TAG_DETAILS), cut to their lengths."""
    return _values_of(detail or TagDetail())


@functools.cache  # a register repeats the same few details: each is converted once
def _values_of(detail):
    values = (getattr(detail, name) for name in TAG_DETAILS)
    return tuple(
        value[: DETAIL_LENGTHS[name]] if isinstance(value, str) else value
        for name, value in zip(TAG_DETAILS, values, strict=True)
    )


NO_VALUES = _tag_values(None)


def _digest(plan):
    """A fingerprint of everything the plan would write, to see at commit whether it is still the same."""
    content = {
        "creates": [(row.sheet, row.line) for row in plan.creates],
        "updates": [
            (u.resident_id, u.seen, u.row.line, sorted(u.history().items()), sorted(u.details.items()))
            for u in plan.updates
        ],
        "errors": sorted((e.sheet, e.line, e.message) for e in plan.errors),
        "duplicates": sorted(d.key for d in plan.duplicates),
        "areas": [plan.new_compounds, plan.new_buildings, plan.new_households],
        "unchanged": plan.unchanged,
    }
    return hashlib.sha256(json.dumps(content, default=str, ensure_ascii=False).encode()).hexdigest()


# The write --------------------------------------------------------------------------------------------


def write_plan(job, plan):
    """Every accepted row, in bulk, inside the caller's transaction."""
    community = job.community
    now = timezone.now()
    register = _load_register(community)  # the areas as they are now, under the transaction
    _check_unchanged(plan.updates)
    compound_ids = dict(register.compounds)
    for name in plan.new_compounds:
        compound_ids[name] = Compound.objects.create(community=community, name=name).pk
    buildings = Building.objects.bulk_create(
        Building(
            compound_id=compound_ids[compound],
            community=community,
            number=number,
            sort_key=_sort_key(number),
        )
        for compound, number in plan.new_buildings
    )
    building_ids = dict(register.buildings) | {(b.compound_id, b.number): b.pk for b in buildings}
    household_rows, household_keys = [], []
    for key in plan.new_households:
        compound, number, unit, room = key
        building_id = building_ids[compound_ids[compound], number]
        household_rows.append((building_id, community.pk, unit, room, "", now, now))
        household_keys.append((key, building_id))
    new_ids = insert_rows(
        Household, ["building_id", "community_id", "unit", "room", "notes", "created_at", "updated_at"], household_rows
    )
    compound_names = {pk: name for name, pk in compound_ids.items()}
    building_keys = {pk: (compound_names[compound_id], number) for (compound_id, number), pk in building_ids.items()}
    households = {
        (*building_keys[building_id], unit, room): (pk, building_id)
        for (building_id, unit, room), pk in register.households.items()
    }
    households |= {key: (pk, building_id) for (key, building_id), pk in zip(household_keys, new_ids, strict=True)}
    default_compound = plan.compound

    def place(row):
        return households[(row.compound or default_compound, row.building, row.unit, row.room)]

    _create_residents(job, plan.creates, place, now, plan.today)
    _apply_updates(job, plan.updates, place, now)


def _sort_key(number):
    """Buildings sort by their number's leading digits: 2 before 10, as on the overview."""
    digits = LEADING_DIGITS.match(number)
    return int(digits.group()) if digits else 0


def _check_unchanged(updates):
    """Lock the residents about to change; if any was edited since it was compared, start again."""
    seen = {u.resident_id: u.seen for u in updates}
    ids = sorted(seen)
    for start in range(0, len(ids), CHUNK):
        for pk, updated_at in (
            Resident.objects.select_for_update()
            .filter(pk__in=ids[start : start + CHUNK])
            .order_by("pk")
            .values_list("pk", "updated_at")
        ):
            if updated_at.isoformat() != seen[pk]:
                raise RegisterChanged


# The columns of a new resident, in the order of _resident_values.
RESIDENT_INSERT = [
    "household_id",
    "community_id",
    "building_id",
    *RESIDENT_IMPORT_FIELDS,
    *SEARCH_FIELDS,
    "created_at",
    "updated_at",
]


def _create_residents(job, rows, place, now, today):
    """Insert the new residents and their tags a chunk at a time (a street's rows would not fit in
    memory as values at once), then one history entry per household. `today`: the reading's."""
    names = defaultdict(list)  # household id → its new residents' names
    for start in range(0, len(rows), CHUNK):
        values, tags = [], []
        for row in rows[start : start + CHUNK]:
            household_id, building_id = place(row)
            values.append(_resident_values(row, job.community_id, household_id, building_id, now))
            wanted = {tag: _tag_values(detail) for tag, detail in (row.tags or {}).items()}
            if row.birth_date and is_80_plus(row.birth_date, today):
                wanted.setdefault(Tag.AGED_80, _tag_values(None))
            tags.append(wanted)
            names[household_id].append(row.name)
        ids = insert_rows(Resident, RESIDENT_INSERT, values)
        _insert_tags(
            [
                (pk, job.community_id, value[2], tag, detail)
                for pk, value, wanted in zip(ids, values, tags, strict=True)
                for tag, detail in wanted.items()
            ]
        )
    # One history entry per household, naming its new residents: a street's first import would
    # otherwise write as many entries as residents, and the household page lists them all anyway.
    insert_rows(
        Change,
        ["community_id", "household_id", "actor_id", "action", "changes", "import_job_id", "at"],
        [
            (job.community_id, household_id, job.created_by_id, Change.Action.CREATED)
            + ({"residents": [None, "、".join(n)]}, job.pk, now)
            for household_id, n in names.items()
        ],
        ids=False,
    )


def _resident_values(row, community_id, household_id, building_id, now):
    """A new resident's values in the order of RESIDENT_INSERT: what the row says of each of
    RESIDENT_IMPORT_FIELDS, a new resident's default where it says nothing, then the search fields.
    A tuple written out rather than built from a dict by name: this runs for every row of a street,
    and a test holds the order (test_a_new_residents_values_are_in_the_order_of_the_insert)."""
    id_number, phone = row.id_number or "", row.phone or ""
    return (
        household_id,
        community_id,
        building_id,
        row.name,
        row.sex or "",
        row.document_type or DocumentType.MAINLAND_ID,
        id_number,
        row.birth_date,
        phone,
        row.relation or "",
        row.presence or Presence.HOME,
        bool(row.party_member),
        row.notes_with_remarks(None),
        *search_values(name=row.name, id_number=id_number, phone=phone),
        now,
        now,
    )


def _insert_tags(rows):
    """rows: (resident id, community id, building id, tag, (condition, note, due date))."""
    insert_rows(
        ResidentTag,
        ["resident_id", "community_id", "building_id", "tag", "condition", "note", "due_date", "medicine"],
        [(*ids, tag, condition or "", note or "", due_date, "") for *ids, tag, (condition, note, due_date) in rows],
        ids=False,
    )


SEARCHED = {"name", "id_number", "phone"}  # the fields search_fields() derives from


def _apply_updates(job, updates, place, now):
    if not updates:
        return
    residents = Resident.objects.in_bulk([u.resident_id for u in updates])
    changed_fields, history, tag_rows = {"updated_at", "version"}, [], []
    moved = []
    for update in updates:
        resident = residents[update.resident_id]
        origin = resident.household_id
        for name, (_before, after) in update.fields.items():
            setattr(resident, name, after)
            changed_fields.add(name)
        if update.fields.keys() & SEARCHED:
            derived = search_fields(name=resident.name, id_number=resident.id_number, phone=resident.phone)
            for name, value in derived.items():
                if getattr(resident, name) != value:
                    setattr(resident, name, value)
                    changed_fields.add(name)
        if update.household:
            resident.household_id, resident.building_id = place(update.row)
            changed_fields.update({"household", "building"})
            moved.append(resident)
        resident.updated_at = now
        resident.version += 1  # the row is locked (_check_unchanged): an edit form read before is told
        changes = update.history()
        action = Change.Action.MOVED_IN if update.household else Change.Action.UPDATED
        history.append((job.community_id, resident.household_id, resident.pk, action, changes, resident.version))
        if update.household:
            history.append((job.community_id, origin, resident.pk, Change.Action.MOVED_OUT, changes, resident.version))
        tag_rows += [
            (resident.pk, job.community_id, resident.building_id, tag, values)
            for tag, values in update.tags_added.items()
        ]
    Resident.objects.bulk_update(residents.values(), sorted(changed_fields), batch_size=1000)
    for resident in moved:
        rows_follow_resident(resident)
    removed = [(u.resident_id, tag) for u in updates for tag in u.tags_removed]
    for resident_id, tag in removed:
        ResidentTag.objects.filter(resident_id=resident_id, tag=tag).delete()
    for update in updates:
        for tag, changed in update.details.items():
            ResidentTag.objects.filter(resident_id=update.resident_id, tag=tag).update(**changed)
    _insert_tags(tag_rows)
    insert_rows(
        Change,
        [
            "community_id",
            "household_id",
            "resident_id",
            "actor_id",
            "action",
            "changes",
            "import_job_id",
            "at",
            "version",
        ],
        [
            (community_id, household_id, resident_id, job.created_by_id, action, changes, job.pk, now, version)
            for community_id, household_id, resident_id, action, changes, version in history
        ],
        ids=False,
    )
