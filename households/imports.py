"""Import jobs: upload → read and compare with the register (the preview) → confirm → one transaction.

The confirmed import reads the file again and compares it with the register again; it writes only
if the result is the one previewed, so what the admin confirmed is what lands. The reading is in
households/importers.py; this module holds the register side: matching, the diff and the writes.
"""

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lockdown.core.bulk import insert_rows
from lockdown.core.errors import ServiceError
from lockdown.core.spreadsheets import SUFFIXES, Column, SheetSpec, UnreadableFile, cell_text, read_sheets, write_table

from . import importers
from .importers import FIELDS, RESIDENT_FIELDS, ImportRow, RowError
from .models import (
    Building,
    Change,
    Community,
    Compound,
    DocumentType,
    Household,
    ImportJob,
    ImportMapping,
    Presence,
    Resident,
    ResidentTag,
    Tag,
    room_label,
)
from .scoping import AreaScope
from .services import _shown, is_80_plus, name_initials

logger = logging.getLogger(__name__)
Status = ImportJob.Status
CHUNK = 5000


class RegisterChanged(Exception):
    """The register changed between the preview and the write: preview again before confirming."""


# The job's life ---------------------------------------------------------------------------------------


def import_job_create(*, actor, community: Community, compound: Compound | None, upload) -> ImportJob:
    """Keep the uploaded file and open a job for it; the caller schedules the reading."""
    if not AreaScope.for_user(actor).may_edit_community(community):
        raise ServiceError(_("You may not import into this community."))
    if compound is not None and compound.community_id != community.pk:
        raise ServiceError(_("Choose a compound of this community."), field="compound")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ServiceError(_("Upload an .xlsx, .xls or .csv file."), field="file")
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ServiceError(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // 2**20}, field="file"
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    remembered = ImportMapping.objects.filter(community=community).values_list("columns", flat=True).first()
    job = ImportJob(
        community=community,
        compound=compound,
        created_by=actor,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=Path(upload.name).name[:200],
        file_sha256=digest.hexdigest(),
        columns=remembered or {},
    )
    job.file.save(f"{digest.hexdigest()[:16]}{suffix}", upload, save=False)
    job.save()
    return job


def import_job_set_columns(*, actor, job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """The admin's choice of field for each column; remembered for the community's next import."""
    _require_importer(actor, job)
    if job.status not in (Status.NEEDS_MAPPING, Status.PREVIEW, Status.FAILED):
        raise ServiceError(_("This import can no longer be changed."))
    unknown = set(columns.values()) - set(FIELDS) - {""}
    if unknown:
        raise ServiceError(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        mapping, _created = ImportMapping.objects.select_for_update().get_or_create(community=job.community)
        mapping.columns = mapping.columns | columns
        mapping.updated_by = actor
        mapping.save()
        job.columns = job.columns | columns
        job.status = Status.QUEUED
        job.message = ""
        job.save(update_fields=["columns", "status", "message"])
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Claim the previewed job for writing; the caller schedules the commit. A second click changes nothing."""
    _require_importer(actor, job)
    if not ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(status=Status.COMMITTING):
        raise ServiceError(_("This import is not waiting for confirmation."))
    job.status = Status.COMMITTING
    return job


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    _require_importer(actor, job)
    waiting = (Status.PREVIEW, Status.NEEDS_MAPPING, Status.FAILED, Status.QUEUED)
    if not ImportJob.objects.filter(pk=job.pk, status__in=waiting).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    ):
        raise ServiceError(_("This import can no longer be cancelled."))
    job.refresh_from_db()
    return job


def _require_importer(actor, job):
    if not AreaScope.for_user(actor).may_edit_community(job.community):
        raise ServiceError(_("You may not import into this community."))


def import_job_preview(job: ImportJob) -> None:
    """Read the file and compare it with the register (the task's work); nothing is written."""
    if not ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(status=Status.READING):
        return  # already read, or cancelled: a task delivered twice does nothing
    with translation.override(job.language):
        try:
            reading, plan = _read_and_plan(job)
        except UnreadableFile:
            _fail(job, _("This file cannot be read as a spreadsheet. Save it again as .xlsx and upload it."))
            return
        except Exception:
            logger.exception("import %s: preview failed", job.pk)
            _fail(job, _("Reading the file failed unexpectedly. Try again, or ask for help."))
            raise
        _save_reading(job, reading, plan)


def import_job_commit(job: ImportJob) -> None:
    """Read and compare once more, then write every accepted row in one transaction (the task's work)."""
    if job.status != Status.COMMITTING:
        return
    with translation.override(job.language):
        try:
            reading, plan = _read_and_plan(job)
            if reading.problems or plan.digest != job.plan_digest:
                raise RegisterChanged
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != Status.COMMITTING:
                    return  # another delivery of the task finished it
                _write(job, plan)
                ImportJob.objects.filter(pk=job.pk).update(status=Status.DONE, finished_at=timezone.now())
        except RegisterChanged:
            _save_reading(job, reading, plan)
            ImportJob.objects.filter(pk=job.pk).update(
                message=_(
                    "The register or the file changed since the preview. Check this new preview and confirm again."
                )
            )
        except Exception:
            logger.exception("import %s: commit failed", job.pk)
            _fail(job, _("The import failed and nothing was written. Try again, or ask for help."))
            raise


def _fail(job, message):
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, message=message, finished_at=timezone.now())


def _read_and_plan(job):
    path = Path(job.file.path)

    def read_progress(lines):
        ImportJob.objects.filter(pk=job.pk).update(lines_read=lines)

    def check_progress(rows):
        ImportJob.objects.filter(pk=job.pk).update(rows_checked=rows)

    job.lines_total, job.lines_read, job.rows_checked = _line_count(path), 0, 0
    ImportJob.objects.filter(pk=job.pk).update(lines_total=job.lines_total, lines_read=0, rows_checked=0)
    reading = importers.read_register(
        path, community_name=job.community.name, overrides=job.columns, on_progress=read_progress
    )
    job.lines_read = reading.lines_read
    ImportJob.objects.filter(pk=job.pk).update(lines_read=reading.lines_read)
    plan = plan_import(job, reading, on_progress=check_progress) if not reading.problems else Plan()
    return reading, plan


def _line_count(path):
    return sum(sheet.height for sheet in read_sheets(path))


def _save_reading(job, reading, plan):
    job.sheets = [
        {"name": s.name, "header_line": s.header_line, "headers": s.headers, "building": s.building}
        for s in reading.sheets
    ]
    job.columns = job.columns | {k: v for k, v in reading.columns.items() if k not in job.columns}
    job.problems = reading.problems
    job.status = Status.NEEDS_MAPPING if reading.problems else Status.PREVIEW
    job.created, job.changed, job.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
    job.errors = [
        {"sheet": e.sheet, "line": e.line, "column": e.column, "message": e.message}
        for e in sorted(plan.errors, key=lambda e: (e.sheet, e.line))
    ]
    job.rejected = len({(e.sheet, e.line) for e in plan.errors})
    job.changes = [update.preview() for update in plan.updates]
    job.new_areas = {
        "compounds": plan.new_compounds,
        "buildings": [f"{compound} {number}" for compound, number in plan.new_buildings],
        "households": len(plan.new_households),
    }
    job.plan_digest = plan.digest
    job.rows_checked = len(plan.creates) + len(plan.updates) + plan.unchanged
    job.message = ""
    job.save()


# The comparison with the register ------------------------------------------------------------------


@dataclass
class Update:
    resident_id: int
    row: ImportRow
    seen: str  # the resident's updated_at when compared: the write checks that it still is
    fields: dict = field(default_factory=dict)  # name → (before, after)
    household: tuple | None = None  # the household key it moves to
    moved_from: str = ""  # the room label it moves from
    tags_added: dict = field(default_factory=dict)  # tag → condition
    tags_removed: set = field(default_factory=set)
    conditions: dict = field(default_factory=dict)  # tag → (before, after) of an existing tag

    def history(self):
        """The changes as a history entry stores them: field → [before, after], masked."""
        changes = {name: [_shown(name, before), _shown(name, after)] for name, (before, after) in self.fields.items()}
        if self.household:
            changes["household"] = [self.moved_from, room_label(*self.household[1:])]
        changes |= {f"tag:{tag}": [False, True] for tag in self.tags_added}
        changes |= {f"tag:{tag}": [True, False] for tag in self.tags_removed}
        return changes

    def preview(self):
        return {
            "sheet": self.row.sheet,
            "line": self.row.line,
            "name": self.row.name,
            "room": room_label(*self.row.household_key[1:]),
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
    digest: str = ""


@dataclass
class _Register:
    """What the community's register holds, loaded once in a few queries."""

    compounds: dict  # name → id
    buildings: dict  # (compound id, number) → id
    households: dict  # (building id, unit, room) → id
    labels: dict  # household id → room label
    by_document: dict  # (document type, number) → resident tuple
    by_household_name: dict  # (household id, name) → [resident tuple]
    tags: dict  # resident id → {tag: condition}


RESIDENT_COLUMNS = ("id", "household_id", *RESIDENT_FIELDS, "updated_at")
_ID, _HOUSEHOLD = 0, 1
_FIELD_INDEX = {name: i + 2 for i, name in enumerate(RESIDENT_FIELDS)}
_UPDATED_AT = len(RESIDENT_COLUMNS) - 1


def _load_register(community):
    compounds = dict(Compound.objects.filter(community=community).values_list("name", "id"))
    buildings = {
        (compound_id, number): pk
        for pk, compound_id, number in Building.objects.filter(community=community).values_list(
            "id", "compound_id", "number"
        )
    }
    numbers = {pk: number for (_c, number), pk in buildings.items()}
    households, labels = {}, {}
    for pk, building_id, unit, room in Household.objects.filter(community=community).values_list(
        "id", "building_id", "unit", "room"
    ):
        households[building_id, unit, room] = pk
        labels[pk] = room_label(numbers[building_id], unit, room)
    by_document, by_household_name = {}, defaultdict(list)
    for resident in Resident.objects.filter(community=community).values_list(*RESIDENT_COLUMNS).iterator(CHUNK):
        if resident[_FIELD_INDEX["id_number"]]:
            by_document[resident[_FIELD_INDEX["document_type"]], resident[_FIELD_INDEX["id_number"]]] = resident
        by_household_name[resident[_HOUSEHOLD], resident[_FIELD_INDEX["name"]]].append(resident)
    tags = defaultdict(dict)
    for resident_id, tag, condition in ResidentTag.objects.filter(community=community).values_list(
        "resident_id", "tag", "condition"
    ):
        tags[resident_id][tag] = condition
    return _Register(compounds, buildings, households, labels, by_document, by_household_name, tags)


def plan_import(job, reading, on_progress=None) -> Plan:
    """Compare the rows with the register: what is new, what changes, what is rejected and why."""
    register = _load_register(job.community)
    default_compound = job.compound.name if job.compound else job.community.name
    plan = Plan(errors=list(reading.errors))
    elsewhere = _registered_elsewhere(job.community, reading.rows)
    matched = {}  # resident id → the row that matched it
    new_buildings, new_households = set(), {}
    for checked, row in enumerate(reading.rows, start=1):
        if on_progress and checked % importers.PROGRESS_EVERY == 0:
            on_progress(checked)
        compound = row.compound or default_compound
        key = (compound, row.building, row.unit, row.room)
        household_id = _household_id(register, key)
        document = (row.document_type or DocumentType.MAINLAND_ID, row.id_number)
        resident, error = _match(register, row, document, household_id)
        if error is None and resident is None and row.id_number and document in elsewhere:
            error = _("This ID number is on the register of %(area)s: that committee has to move the resident.") % {
                "area": elsewhere[document]
            }
        if error is None and resident is not None and resident[_ID] in matched:
            other = matched[resident[_ID]]
            error = _("This is the same resident as row %(line)s of sheet %(sheet)s.") % {
                "line": other.line,
                "sheet": other.sheet,
            }
        if error:
            plan.errors.append(RowError(row.sheet, row.line, reading.header_of(row.sheet, "name"), error))
            continue
        if household_id is None:
            new_households.setdefault(key, None)
            if (register.compounds.get(compound), row.building) not in register.buildings:
                new_buildings.add((compound, row.building))
        if resident is None:
            plan.creates.append(row)
            continue
        matched[resident[_ID]] = row
        update = _diff(register, resident, row, key, household_id)
        if update is None:
            plan.unchanged += 1
        else:
            plan.updates.append(update)
    plan.new_compounds = sorted({compound for compound, _number in new_buildings} - register.compounds.keys())
    plan.new_buildings = sorted(new_buildings)
    plan.new_households = list(new_households)
    plan.digest = _digest(plan)
    return plan


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
    """(document type, number) → community name, for the file's numbers on other communities' registers."""
    numbers = sorted({row.id_number for row in rows if row.id_number})
    found = {}
    for start in range(0, len(numbers), CHUNK):
        found |= {
            (document_type, number): name
            for document_type, number, name in Resident.objects.filter(id_number__in=numbers[start : start + CHUNK])
            .exclude(community=community)
            .values_list("document_type", "id_number", "community__name")
        }
    return found


def _diff(register, resident, row, key, household_id):
    update = Update(resident_id=resident[_ID], row=row, seen=resident[_UPDATED_AT].isoformat())
    for name in RESIDENT_FIELDS:
        after = getattr(row, name)
        before = resident[_FIELD_INDEX[name]]
        if after is not None and after != before:
            update.fields[name] = (before, after)
    if household_id != resident[_HOUSEHOLD]:
        update.household = key
        update.moved_from = register.labels.get(resident[_HOUSEHOLD], "")
    if row.tags is not None:
        current = register.tags.get(resident[_ID], {})
        wanted = dict(row.tags)
        birth_date = row.birth_date or resident[_FIELD_INDEX["birth_date"]]
        if birth_date is not None:
            if is_80_plus(birth_date):
                wanted.setdefault(Tag.AGED_80, "")
            else:
                wanted.pop(Tag.AGED_80, None)
        update.tags_added = {tag: condition for tag, condition in wanted.items() if tag not in current}
        update.tags_removed = set(current) - set(wanted)
        update.conditions = {
            tag: (current[tag], condition)
            for tag, condition in wanted.items()
            if tag in current and condition and condition != current[tag]
        }
    if update.fields or update.household or update.tags_added or update.tags_removed or update.conditions:
        return update
    return None


def _digest(plan):
    """A fingerprint of everything the plan would write, to see at commit whether it is still the same."""
    content = {
        "creates": [(row.sheet, row.line) for row in plan.creates],
        "updates": [(u.resident_id, u.seen, u.row.line, sorted(u.history().items())) for u in plan.updates],
        "errors": sorted((e.sheet, e.line, e.message) for e in plan.errors),
        "areas": [plan.new_compounds, plan.new_buildings, plan.new_households],
        "unchanged": plan.unchanged,
    }
    return hashlib.sha256(json.dumps(content, default=str, ensure_ascii=False).encode()).hexdigest()


# The write --------------------------------------------------------------------------------------------


def _write(job, plan):
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
    default_compound = job.compound.name if job.compound else community.name

    def place(row):
        return households[(row.compound or default_compound, row.building, row.unit, row.room)]

    _create_residents(job, plan.creates, place, now)
    _apply_updates(job, plan.updates, place, now)


def _sort_key(number):
    digits = ""
    for char in number:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


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


RESIDENT_INSERT = [
    "household_id",
    "community_id",
    "building_id",
    "name",
    "name_initials",
    "sex",
    "document_type",
    "id_number",
    "id_last4",
    "birth_date",
    "phone",
    "phone_last4",
    "relation",
    "presence",
    "party_member",
    "notes",
    "created_at",
    "updated_at",
]


def _create_residents(job, rows, place, now):
    community_id = job.community_id
    today = timezone.localdate()
    values, tags = [], []
    for row in rows:
        household_id, building_id = place(row)
        id_number, phone = row.id_number or "", row.phone or ""
        values.append(
            (
                household_id,
                community_id,
                building_id,
                row.name,
                name_initials(row.name),
                row.sex or "",
                row.document_type or DocumentType.MAINLAND_ID,
                id_number,
                id_number[-4:],
                row.birth_date,
                phone,
                phone[-4:],
                row.relation or "",
                row.presence or Presence.HOME,
                bool(row.party_member),
                row.notes or "",
                now,
                now,
            )
        )
        wanted = dict(row.tags or {})
        if row.birth_date and is_80_plus(row.birth_date, today):
            wanted.setdefault(Tag.AGED_80, "")
        tags.append(wanted)
    ids = insert_rows(Resident, RESIDENT_INSERT, values)
    tag_rows = [
        (pk, community_id, value[2], tag, condition)
        for pk, value, wanted in zip(ids, values, tags, strict=True)
        for tag, condition in wanted.items()
    ]
    _insert_tags(tag_rows)
    # One history entry per household, naming its new residents: a street's first import would
    # otherwise write as many entries as residents, and the household page lists them all anyway.
    names = defaultdict(list)
    for value in values:
        names[value[0]].append(value[3])
    insert_rows(
        Change,
        ["community_id", "household_id", "actor_id", "action", "changes", "import_job_id", "at"],
        [
            (community_id, household_id, job.created_by_id, Change.Action.CREATED, {"residents": [None, "、".join(n)]})
            + (job.pk, now)
            for household_id, n in names.items()
        ],
    )


def _insert_tags(rows):
    """rows: (resident id, community id, building id, tag, condition)."""
    insert_rows(
        ResidentTag,
        ["resident_id", "community_id", "building_id", "tag", "condition", "note", "medicine"],
        [(*row, "", "") for row in rows],
    )


def _apply_updates(job, updates, place, now):
    if not updates:
        return
    residents = Resident.objects.in_bulk([u.resident_id for u in updates])
    changed_fields, history, tag_rows = {"updated_at"}, [], []
    moved = []
    for update in updates:
        resident = residents[update.resident_id]
        origin = resident.household_id
        for name, (_before, after) in update.fields.items():
            setattr(resident, name, after)
            changed_fields.add(name)
        if "name" in update.fields:
            resident.name_initials = name_initials(resident.name)
            changed_fields.add("name_initials")
        for name, derived in (("id_number", "id_last4"), ("phone", "phone_last4")):
            if name in update.fields:
                setattr(resident, derived, getattr(resident, name)[-4:])
                changed_fields.add(derived)
        if update.household:
            resident.household_id, resident.building_id = place(update.row)
            changed_fields.update({"household", "building"})
            moved.append(resident)
        resident.updated_at = now
        changes = update.history()
        action = Change.Action.MOVED_IN if update.household else Change.Action.UPDATED
        history.append((job.community_id, resident.household_id, resident.pk, action, changes))
        if update.household:
            history.append((job.community_id, origin, resident.pk, Change.Action.MOVED_OUT, changes))
        tag_rows += [
            (resident.pk, job.community_id, resident.building_id, tag, condition)
            for tag, condition in update.tags_added.items()
        ]
    Resident.objects.bulk_update(residents.values(), sorted(changed_fields), batch_size=1000)
    for resident in moved:
        ResidentTag.objects.filter(resident=resident).update(building_id=resident.building_id)
    removed = [(u.resident_id, tag) for u in updates for tag in u.tags_removed]
    for resident_id, tag in removed:
        ResidentTag.objects.filter(resident_id=resident_id, tag=tag).delete()
    for update in updates:
        for tag, (_before, after) in update.conditions.items():
            ResidentTag.objects.filter(resident_id=update.resident_id, tag=tag).update(condition=after)
    _insert_tags(tag_rows)
    insert_rows(
        Change,
        ["community_id", "household_id", "resident_id", "actor_id", "action", "changes", "import_job_id", "at"],
        [
            (community_id, household_id, resident_id, job.created_by_id, action, changes, job.pk, now)
            for community_id, household_id, resident_id, action, changes in history
        ],
    )


# The rejected rows, to fix in Excel and upload again ------------------------------------------------------


def rejected_rows_write(job: ImportJob, target) -> int:
    """Write the rejected rows as .xlsx: each sheet's original columns, plus the reasons. Returns the count."""
    reasons = defaultdict(list)
    for error in job.errors:
        reasons[error["sheet"], error["line"]].append(f"{error['column']}：{error['message']}")
    header_lines = {sheet["name"]: sheet["header_line"] for sheet in job.sheets if sheet["header_line"]}
    written = 0

    def sheets():
        nonlocal written
        for sheet in read_sheets(Path(job.file.path)):
            if sheet.name not in header_lines or not any(name == sheet.name for name, _line in reasons):
                continue
            rows = []
            headers = []
            for line, row in sheet.rows:
                if line == header_lines[sheet.name]:
                    headers = [cell_text(cell) for cell in row]
                elif (sheet.name, line) in reasons:
                    rows.append([cell_text(cell) for cell in row] + ["；".join(reasons[sheet.name, line])])
            written += len(rows)
            columns = [Column(header or "", 14) for header in headers] + [Column(_("Why it was rejected"), 50)]
            yield SheetSpec(sheet.name, columns, rows)

    write_table(sheets(), target)
    return written
