"""Import jobs: upload → read and compare with the register (the preview) → confirm → one transaction.

The confirmed import reads the file again and compares it with the register again; it writes only
if the result is the one previewed, so what the admin confirmed is what lands. The reading is in
reader.py, the comparison and the writes in plans.py.
"""

import datetime
import hashlib
import logging
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import Community, Compound, ImportJob, ImportMapping, building_label
from households.scoping import AreaScope
from households.vocabulary import ALIASES, FIELDS, REJECTED_LINE, REJECTED_SHEET, REJECTED_WHY
from households.words import WORD_CHOICES
from lockdown.core import cells
from lockdown.core.cells import natural_key
from lockdown.core.errors import ServiceError
from lockdown.core.spreadsheets import (
    SUFFIXES,
    Column,
    SheetSpec,
    TooLarge,
    UnreadableFile,
    cell_text,
    count_lines,
    read_sheets,
    require_import_size,
    write_table,
)

from . import reader
from .plans import Plan, RegisterChanged, plan_import, write_plan

logger = logging.getLogger(__name__)
Status = ImportJob.Status
# The tasks' time limit: a job reading or writing with no sign of life for this long was lost (its
# worker killed, a broker restarted), since no task runs longer, and each progress is a sign of life.
TIME_LIMIT = 1800
# A job waiting for a worker shows no sign of life until one takes it, and in a crisis the queue may be
# long: only this long a wait means that its task was lost.
QUEUED_LIMIT = 6 * 3600
RUNNING = (Status.QUEUED, Status.READING, Status.COMMITTING)


class _Stopped(Exception):
    """The job was cancelled, or failed as lost, while it was being read: the reading stops."""


# The job's life ---------------------------------------------------------------------------------------


def import_job_create(
    *, actor, community: Community, compound: Compound | None, upload, compound_name: str = "", ip_address=None
) -> ImportJob:
    """Keep the uploaded file and open a job for it; the caller schedules the reading.

    The rows that name no compound go into `compound`, or a new compound named `compound_name`, or
    else the compound the file's title names (the preview says which, and the admin may change it)."""
    if not AreaScope.for_user(actor).may_edit_community(community):
        raise ServiceError(_("You may not import into this community."))
    compound, compound_name = _compound_choice(community, compound, compound_name)
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ServiceError(_("Upload an .xlsx, .xls or .csv file."), field="file")
    require_import_size(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    columns, words = ImportMapping.objects.filter(community=community).values_list("columns", "words").first() or (
        {},
        {},
    )
    job = ImportJob(
        community=community,
        compound=compound,
        compound_name=compound_name,
        created_by=actor,
        ip_address=ip_address,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=Path(upload.name).name[:200],
        file_sha256=digest.hexdigest(),
        columns=columns,
        words=words,
    )
    job.file.save(f"{digest.hexdigest()[:16]}{suffix}", upload, save=False)
    job.save()
    return job


def import_job_set_columns(*, actor, job: ImportJob, columns: dict[str, str]) -> ImportJob:
    """The admin's choice of field for each column; remembered for the community's next import, except
    for a column of a usual name read otherwise (性别 read as names): that is this file's alone."""
    unknown = set(columns.values()) - set(FIELDS) - {""}
    if unknown:
        raise ServiceError(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    remembered = {key: name for key, name in columns.items() if ALIASES.get(key, name) == name}
    return _decide(actor, job, remember={"columns": remembered}, columns=job.columns | columns)


def import_job_set_choices(
    *,
    actor,
    job: ImportJob,
    words: dict[str, dict[str, str]],
    keep: dict[str, int | None],
    without_rounded_ids: bool,
    compound: Compound | None = None,
    compound_name: str = "",
) -> ImportJob:
    """The admin's choices on the preview: what each word not understood means (remembered for the
    community's next import, as the columns are; an empty meaning forgets one), which row to keep of
    the same person twice (None: none for now), whether rows whose ID number a spreadsheet rounded go
    in without it, and the compound of the rows that name none (an existing one, or a new one's
    name). The file is read again."""
    decided = _decisions(job, words, keep, without_rounded_ids, compound, compound_name)
    return _decide(actor, job, remember={"words": words}, **decided)


def _decisions(job, words, keep, without_rounded_ids, compound, compound_name):
    """The job's decisions once these choices are taken, checked."""
    compound, compound_name = _compound_choice(job.community, compound, compound_name)
    for name, meanings in words.items():
        allowed = WORD_CHOICES.get(name, {})
        wrong = {meaning for meaning in meanings.values() if meaning and meaning not in allowed}
        if wrong:
            raise ServiceError(_("Unknown meaning: %(meanings)s") % {"meanings": ", ".join(sorted(wrong))})
    merged = {}
    for name in job.words.keys() | words.keys():
        meanings = job.words.get(name, {}) | words.get(name, {})
        merged[name] = {phrase: meaning for phrase, meaning in meanings.items() if meaning}
    kept = {key: index for key, index in (job.keep | keep).items() if index is not None}
    return {
        "words": {name: meanings for name, meanings in merged.items() if meanings},
        "keep": kept,
        "without_rounded_ids": without_rounded_ids,
        "compound": compound,
        "compound_name": compound_name,
    }


def _compound_choice(community, compound, name):
    """(existing compound or None, new compound's name): a new name that is an existing compound's is that compound."""
    if compound is not None and compound.community_id != community.pk:
        raise ServiceError(_("Choose a compound of this community."), field="compound")
    name = cells.name(name or "")
    if compound is not None and name and name != compound.name:
        raise ServiceError(
            _("Choose an existing compound or type a new compound's name, not both."), field="compound_name"
        )
    if compound is not None or not name:
        return compound, ""
    if len(name) > Compound._meta.get_field("name").max_length:
        raise ServiceError(_("A compound's name has at most 50 characters."), field="compound_name")
    existing = Compound.objects.filter(community=community, name=name).first()
    return (existing, "") if existing else (None, name)


def _decide(actor, job, *, remember, **decided):
    """Record the admin's choices on the job, remember some for the community, and read the file again."""
    _require_importer(actor, job)
    if job.status not in (Status.NEEDS_MAPPING, Status.PREVIEW, Status.FAILED):
        raise ServiceError(_("This import can no longer be changed."))
    with transaction.atomic():
        mapping, _created = ImportMapping.objects.select_for_update().get_or_create(community=job.community)
        if "columns" in remember:
            mapping.columns = mapping.columns | remember["columns"]
        for name, meanings in remember.get("words", {}).items():
            known = mapping.words.get(name, {}) | meanings
            mapping.words = mapping.words | {name: {phrase: m for phrase, m in known.items() if m}}
        mapping.updated_by = actor
        mapping.save()
        for name, value in decided.items():
            setattr(job, name, value)
        job.status = Status.QUEUED
        job.message = ""
        job.progress_at = timezone.now()
        job.save(update_fields=[*decided, "status", "message", "progress_at"])
    return job


def import_job_confirm(*, actor, job: ImportJob, choices: dict | None = None) -> bool:
    """Claim the previewed job for writing; the caller schedules the commit. A second click changes nothing.

    `choices`: the decisions on the page when confirm was pressed. If they are not the ones the
    preview was read with, they are taken and the file is read again instead, so that what is
    written is what the admin saw decided: False, and the caller schedules the reading."""
    _require_importer(actor, job)
    if choices is not None and job.status == Status.PREVIEW:
        decided = _decisions(job, **choices)
        chosen = decided["compound"].name if decided["compound"] else decided["compound_name"]
        if chosen == (job.new_areas or {}).get("compound"):  # the compound the preview put the rows in
            decided |= {"compound": job.compound, "compound_name": job.compound_name}
        if any(getattr(job, name) != value for name, value in decided.items()):
            _decide(actor, job, remember={"words": choices["words"]}, **decided)
            return False
    if not ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEW).update(
        status=Status.COMMITTING, progress_at=timezone.now()
    ):
        raise ServiceError(_("This import is not waiting for confirmation."))
    job.status = Status.COMMITTING
    return True


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Cancel any job that is not writing; one being read stops at its next progress."""
    _require_importer(actor, job)
    waiting = (Status.PREVIEW, Status.NEEDS_MAPPING, Status.FAILED, Status.QUEUED, Status.READING)
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
    if not ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.READING, progress_at=timezone.now()
    ):
        return  # already read, or cancelled: a task delivered twice does nothing
    job.status = Status.READING
    with translation.override(job.language):
        try:
            reading, plan = _read_and_plan(job)
        except _Stopped:
            return
        except UnreadableFile as error:
            _fail(job, unreadable_message(error))
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
                write_plan(job, plan)
                ImportJob.objects.filter(pk=job.pk).update(status=Status.DONE, finished_at=timezone.now())
        except _Stopped:
            return
        except UnreadableFile as error:  # read at the preview, but a reading may still run out of memory
            _fail(job, unreadable_message(error))
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
    """Fail the job, unless it was cancelled (or failed as lost) meanwhile."""
    ImportJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


def _read_and_plan(job):
    path = Path(job.file.path)

    def progress(**counts):
        if not job.report_progress(**counts):
            raise _Stopped

    def read_progress(lines):
        progress(lines_read=lines)

    def check_progress(rows):
        progress(rows_checked=rows)

    if not job.lines_total:  # counted once, at the preview: the kept file does not change
        job.lines_total = count_lines(path)
    job.lines_read, job.rows_checked = 0, 0
    ImportJob.objects.filter(pk=job.pk).update(lines_total=job.lines_total, lines_read=0, rows_checked=0)
    choices = reader.Choices(
        columns=job.columns, words=job.words, keep=job.keep, without_rounded_ids=job.without_rounded_ids
    )
    reading = reader.read_register(
        path,
        community_name=job.community.name,
        choices=choices,
        on_progress=read_progress,
        csv_sheet_name=Path(job.file_name).stem,
    )
    job.lines_read = reading.lines_read
    ImportJob.objects.filter(pk=job.pk).update(lines_read=reading.lines_read)
    plan = Plan() if reading.problems else plan_import(job, reading, on_progress=check_progress, keep=job.keep)
    return reading, plan


def _save_reading(job, reading, plan):
    with transaction.atomic():
        if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=job.status).exists():
            return  # cancelled, or failed as lost, while it was read
        _save_reading_of_running_job(job, reading, plan)


def _save_reading_of_running_job(job, reading, plan):
    job.sheets = [
        {"name": s.name, "header_line": s.header_line, "headers": s.headers, "building": s.building, "titles": s.titles}
        for s in reading.sheets
    ]
    job.problems = reading.problems
    job.status = Status.NEEDS_MAPPING if reading.problems else Status.PREVIEW
    job.created, job.changed, job.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
    job.errors = [_error_json(e) for e in sorted(plan.errors, key=_in_file_order)]
    job.rejected = len({(e.sheet, e.line) for e in plan.errors})
    duplicates = reading.duplicates + plan.duplicates
    job.findings = {
        "unknown": _words_json(reading, reading.unknown),
        "explained": _words_json(reading, reading.explained),
        "kept": [_error_json(e) for e in sorted(reading.kept, key=_in_file_order)],
        "duplicates": [duplicate.as_json() for duplicate in duplicates],
        "resolved": [duplicate.as_json() for duplicate in reading.resolved + plan.resolved],
        "held": sum(len(duplicate.rows) for duplicate in duplicates),
        "left_out": reading.left_out + plan.left_out,
        "rounded_ids": reading.rounded_ids,
        "without_id": reading.without_id,
        "compound_named": reading.compound_named,
    }
    job.changes = [
        update.preview(update.row.compound or plan.compound if plan.several_compounds else "")
        for update in plan.updates
    ]
    job.new_areas = {
        "compound": plan.compound,
        "existing_households": plan.existing_households,
        "rows_in_existing": plan.rows_in_existing,
        "compounds": plan.new_compounds,
        "buildings": [
            building_label(number, compound)
            for compound, number in sorted(plan.new_buildings, key=lambda b: (b[0], natural_key(b[1])))
        ],
        "households": len(plan.new_households),
    }
    job.plan_digest = plan.digest
    job.rows_checked = len(plan.creates) + len(plan.updates) + plan.unchanged
    job.message = ""
    job.progress_at = timezone.now()
    job.save()


def _as_rejected(cell):
    """A cell for the rejected-rows workbook: a long number a spreadsheet rounded only by its certain
    digits, so that it is never read back as an ID number (written whole it would look like one)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and abs(cell) >= 10**15:
        return f"{cells.certain_digits(cell)}…"
    return cell_text(cell)


def _words_json(reading, counts):
    """(field, phrase) → rows, as the preview lists them: by field, the commonest first."""
    return [
        {"field": name, "column": reading.column_of(name), "phrase": phrase, "rows": rows}
        for (name, phrase), rows in sorted(counts.items(), key=lambda item: (item[0][0], -item[1]))
    ]


def _in_file_order(error):
    """Sheets in building order (1号楼 before 10号楼), rows in order."""
    return natural_key(error.sheet), error.line


def _error_json(error):
    return {"sheet": error.sheet, "line": error.line, "column": error.column, "message": error.message}


def import_jobs_tidy() -> int:
    """Beat: fail the jobs a lost worker or task left waiting, reading or writing (a worker is lost with
    its transaction, so nothing was written). Returns how many."""
    now = timezone.now()
    lost = ImportJob.objects.filter(
        Q(status=Status.QUEUED, progress_at__lt=now - datetime.timedelta(seconds=QUEUED_LIMIT))
        | Q(
            status__in=(Status.READING, Status.COMMITTING), progress_at__lt=now - datetime.timedelta(seconds=TIME_LIMIT)
        )
    )
    changed = 0
    for language, status in lost.values_list("language", "status").distinct():
        with translation.override(language):
            message = (
                _("The import was interrupted and nothing was written. Start it again.")
                if status == Status.COMMITTING
                else _("The reading of the file was interrupted. Start it again.")
            )
        changed += lost.filter(language=language, status=status).update(
            status=Status.FAILED, finished_at=now, message=message
        )
    return changed


def unreadable_message(error: UnreadableFile) -> str:
    """What the admin reads when a file cannot be read, or is beyond what a register may be: what to do."""
    if not isinstance(error, TooLarge):
        return _("This file cannot be read as a spreadsheet. Save it again as .xlsx and upload it.")
    numbers = {name: f"{value:,}" if isinstance(value, int) else value for name, value in error.numbers.items()}
    messages = {
        "sheet": _(
            "The cells of sheet %(sheet)s span %(rows)s rows × %(columns)s columns; at most %(most_rows)s rows "
            "and %(most_columns)s columns can be read. Delete what lies beyond the data (a stray cell far below "
            "or to the right of it), or copy the data into a new workbook, and upload it again."
        ),
        "rows_in_file": _(
            "The file has %(rows)s rows; at most %(most)s can be imported at once. Split it into several files "
            "and import them one after another."
        ),
        "sheets": _("The file has %(sheets)s sheets; at most %(most)s can be read. Split it into several files."),
        "members": _(
            "This file holds %(members)s parts, at most %(most)s are read: it is no workbook as Excel or WPS "
            "saves it. Open it, save it again as .xlsx, and upload that."
        ),
        "unpacked": _(
            "This file unpacks to %(mb)s MB, at most %(most)s MB are read. Delete what lies beyond the data, "
            "or copy the data into a new workbook, and upload it again."
        ),
        "ratio": _(
            "A part of this file unpacks to %(ratio)s times its size, at most %(most)s times are read: it is no "
            "workbook as Excel or WPS saves it. Open it, save it again as .xlsx, and upload that."
        ),
        "line": _(
            "Line %(line)s of the file is longer than %(most_kb)s KB: this is no table of residents. Check that "
            "it is the right file, save it again as .xlsx, and upload it."
        ),
        "cell_text": _(
            "Row %(line)s of sheet %(sheet)s has a cell holding more text than Excel allows in a cell "
            "(%(most)s characters): this is no table of residents. Check that it is the right file, delete "
            "that text, and upload it again."
        ),
        "sent": _(
            "The cells of this file hold more than %(most_mb)s MB of text in all, far more than a register. "
            "Check that it is the right file, or copy the data into a new workbook, and upload it again."
        ),
        "csv_columns": _(
            "Line %(line)s of the file has %(columns)s columns; at most %(most)s can be read. Check the "
            "separators, or save the file as .xlsx, and upload it again."
        ),
    }
    if error.reason not in messages:  # "memory": the reading ran out of its memory
        return _(
            "Reading this file needed more memory than an import may use: it holds far more than a register. "
            "Delete what lies beyond the data, or copy the data into a new workbook, and upload it again."
        )
    return messages[error.reason] % numbers


# The rejected rows, to fix in Excel and upload again ------------------------------------------------------


def rejected_rows_write(job: ImportJob, target) -> int:
    """Write the rejected rows, and the rows held back as the same person twice, as .xlsx: each sheet's
    title rows and original columns, then the sheet and row they came from and every reason, every
    cell formatted as text. Returns the count."""
    reasons = defaultdict(list)
    for error in job.errors:
        reasons[error["sheet"], error["line"]].append(f"{error['column']}：{error['message']}")
    for duplicate in job.findings.get("duplicates", []):
        for row in duplicate["rows"]:
            others = "、".join(
                _("row %(line)s of sheet %(sheet)s") % other for other in duplicate["rows"] if other is not row
            )
            reasons[row["sheet"], row["line"]] += [
                _("The same person as %(rows)s: keep one of these rows and upload it again.") % {"rows": others},
                *row["problems"],
            ]
    header_lines = {sheet["name"]: sheet["header_line"] for sheet in job.sheets if sheet["header_line"]}
    titles = {sheet["name"]: tuple(sheet.get("titles", ())) for sheet in job.sheets}
    written = 0

    def sheets():
        nonlocal written
        for sheet in read_sheets(Path(job.file.path), csv_name=Path(job.file_name).stem):
            if sheet.name not in header_lines or not any(name == sheet.name for name, _line in reasons):
                continue
            rows = []
            headers = []
            for line, row in sheet.rows:
                if line == header_lines[sheet.name]:
                    headers = [cell_text(cell) for cell in row]
                elif (sheet.name, line) in reasons:
                    cells = [_as_rejected(cell) for cell in row] + [""] * (len(headers) - len(row))
                    rows.append([*cells, sheet.name, line, "；".join(reasons[sheet.name, line])])
            written += len(rows)
            columns = [Column(header or "", 14) for header in headers]
            columns += [Column(REJECTED_SHEET, 12), Column(REJECTED_LINE, 8), Column(REJECTED_WHY, 60)]
            # The sheet's title rows again (they may name the compound), and every cell as text: an ID
            # number typed again into the workbook stays all its digits.
            yield SheetSpec(sheet.name, columns, rows, titles=titles.get(sheet.name, ()), as_text=True)

    write_table(sheets(), target)
    return written
