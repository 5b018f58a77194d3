"""Imports and exports run by the workers."""

from celery import shared_task

from households.models import ImportJob

from . import exports, imports


@shared_task(time_limit=imports.TIME_LIMIT, soft_time_limit=imports.TIME_LIMIT - 60)
def preview_import_task(job_pk):
    """Read an uploaded spreadsheet and compare it with the register; writes only the job's preview."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_preview(job)


@shared_task(time_limit=imports.TIME_LIMIT, soft_time_limit=imports.TIME_LIMIT - 60)
def commit_import_task(job_pk):
    """Write a confirmed import in one transaction."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_commit(job)


@shared_task(time_limit=exports.TIME_LIMIT - 60, soft_time_limit=exports.TIME_LIMIT - 120)
def export_task(job_pk):
    """Write an export in the background; the page polls its progress."""
    exports.export_job_run(job_pk)


@shared_task(time_limit=600, soft_time_limit=540)
def tidy_exports_task():
    """Beat: fail exports a lost worker left behind; delete exported files (personal data) after
    EXPORT_KEEP_HOURS."""
    return exports.export_jobs_tidy()


@shared_task(time_limit=300, soft_time_limit=270)
def tidy_imports_task():
    """Beat, every few minutes: fail the imports a lost worker or task left behind, soon after the
    time limit, so that the admin waiting on the page learns it and starts again."""
    return imports.import_jobs_tidy()
