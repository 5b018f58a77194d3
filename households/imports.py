"""Import jobs: upload → read and compare with the register (the preview) → confirm → one transaction.

The confirmed import reads the file again and compares it with the register again; it writes only
if the result is the one previewed, so what the admin confirmed is what lands. The reading is in
households/importers.py, the comparison and the writes in households/import_register.py.
"""

import hashlib
import logging
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lockdown.core.errors import ServiceError
from lockdown.core.spreadsheets import SUFFIXES, Column, SheetSpec, UnreadableFile, cell_text, read_sheets, write_table

from . import importers
from .import_register import Plan, RegisterChanged, plan_import, write_plan
from .models import Community, Compound, ImportJob, ImportMapping
from .scoping import AreaScope
from .vocabulary import FIELDS

logger = logging.getLogger(__name__)
Status = ImportJob.Status


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
                write_plan(job, plan)
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

    if not job.lines_total:  # counted once, at the preview: the kept file does not change
        job.lines_total = sum(sheet.height for sheet in read_sheets(path))
    job.lines_read, job.rows_checked = 0, 0
    ImportJob.objects.filter(pk=job.pk).update(lines_total=job.lines_total, lines_read=0, rows_checked=0)
    reading = importers.read_register(
        path, community_name=job.community.name, overrides=job.columns, on_progress=read_progress
    )
    job.lines_read = reading.lines_read
    ImportJob.objects.filter(pk=job.pk).update(lines_read=reading.lines_read)
    plan = plan_import(job, reading, on_progress=check_progress) if not reading.problems else Plan()
    return reading, plan


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
