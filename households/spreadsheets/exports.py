"""Exports in the background: a whole street's table takes longer to write than a web request may last,
so a worker writes it while the page shows how far it is. The register's tables and a campaign's
sheet (households.campaigns.exports) are the same kind of job, each with its writer. The file is for
the person who asked alone, and it is deleted after settings.EXPORT_KEEP_HOURS: it holds names,
numbers and illnesses.
"""

import datetime
import logging
import secrets
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import Building, ExportJob
from households.scoping import AreaScope
from lockdown.core.errors import ServiceError

from . import tables

logger = logging.getLogger(__name__)
Status = ExportJob.Status
# A job still waiting or writing after this long was lost (a worker killed, a broker restarted).
TIME_LIMIT = 1800


def export_job_create(*, actor, kind: str, fmt: str, building: Building | None = None, ip_address=None) -> ExportJob:
    """Open a job for one table of the register; the caller schedules the writing (export_task)."""
    tables.export_check(scope=AreaScope.for_user(actor), kind=kind, fmt=fmt)
    return export_job_open(
        actor=actor,
        kind=kind,
        fmt=fmt,
        building=building,
        ip_address=ip_address,
        file_name=tables.export_file_name(kind, fmt, building, timezone.localdate()),
    )


def export_job_open(*, actor, kind: str, fmt: str, file_name: str, ip_address=None, **target) -> ExportJob:
    """Open a job for any export, once its writer has checked it may be written. One at a time per
    account: a second would only compete with the first for the same worker."""
    if ExportJob.objects.filter(created_by=actor, status__in=ExportJob.RUNNING).exists():
        raise ServiceError(_("One of your exports is still being written: wait for it, then start the next."))
    return ExportJob.objects.create(
        created_by=actor,
        kind=kind,
        fmt=fmt,
        ip_address=ip_address,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=file_name,
        **target,
    )


def table_write(job: ExportJob, target, on_progress) -> int:
    """The writer of the register's tables, for export_job_run."""
    return tables.export_write(
        actor=job.created_by,
        kind=job.kind,
        fmt=job.fmt,
        target=target,
        building=job.building,
        ip_address=job.ip_address,
        on_progress=on_progress,
    )


def export_job_run(job_pk: int, write: Callable[[ExportJob, BinaryIO, Callable], int] = table_write) -> None:
    """Write the export (the task's work) with `write(job, target, on_progress)`, which audits it
    and returns its rows. A task delivered twice writes it once."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_pk, status=Status.QUEUED).update(
        status=Status.WRITING, started_at=now, progress_at=now
    ):
        return  # written, being written, or lost and failed by export_jobs_tidy
    job = ExportJob.objects.select_related("created_by", "building__compound", "campaign").get(pk=job_pk)
    job.status = Status.WRITING

    def progress(written, total):
        job.report_progress(rows_written=written, rows_total=total)

    # Taken before writing: if the account's areas change meanwhile, the file is not handed out.
    fingerprint = AreaScope.for_user(job.created_by).fingerprint
    with translation.override(job.language), tempfile.TemporaryFile() as file:
        try:
            rows = write(job, file, progress)
            file.seek(0)
            # An unguessable name: the file is served only through the owner's download link anyway.
            job.file.save(f"{job.pk}-{secrets.token_hex(8)}.{job.fmt}", File(file), save=False)
        except ServiceError as error:
            _finish(job, Status.FAILED, message=error.message)
            return
        except Exception:
            logger.exception("export %s failed", job.pk)
            if job.file:
                job.file.delete(save=False)
            _finish(job, Status.FAILED, message=_("Writing the table failed unexpectedly. Try again, or ask for help."))
            raise
    _finish(job, Status.DONE, file=job.file.name, rows_written=rows, rows_total=rows, scope_fingerprint=fingerprint)


def _finish(job, status, **fields):
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=status, finished_at=now, progress_at=now, **fields)


def export_job_for_download(*, actor, pk: int) -> ExportJob | None:
    """The actor's finished export, or None; ServiceError if the actor's areas or role changed since."""
    job = ExportJob.objects.filter(pk=pk, created_by=actor, status=Status.DONE).first()
    if job is None:
        return None
    if job.scope_fingerprint != AreaScope.for_user(actor).fingerprint:
        raise ServiceError(_("Your areas or your role changed after this table was written: export it again."))
    return job


def export_jobs_tidy() -> int:
    """Beat: fail the jobs a lost worker left behind, and delete the files of finished exports older
    than EXPORT_KEEP_HOURS (the record of them stays). Returns how many jobs it changed."""
    now = timezone.now()
    lost = now - datetime.timedelta(seconds=TIME_LIMIT)
    changed = ExportJob.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=lost) | Q(status=Status.WRITING, started_at__lt=lost)
    ).update(
        status=Status.FAILED,
        finished_at=now,
        message=_("The export was interrupted. Start it again."),
    )
    cutoff = now - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    for job in ExportJob.objects.filter(status=Status.DONE, finished_at__lt=cutoff).only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        changed += ExportJob.objects.filter(pk=job.pk).update(status=Status.EXPIRED, file="")
    return changed
