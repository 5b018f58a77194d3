from celery import shared_task

from . import export_jobs, imports, services
from .models import ImportJob


@shared_task(time_limit=600, soft_time_limit=540)
def refresh_age_tags_task():
    """Beat: tag residents who have turned 80 since the last run (idempotent)."""
    return services.refresh_age_tags()


@shared_task(time_limit=1800, soft_time_limit=1740)
def preview_import_task(job_pk):
    """Read an uploaded spreadsheet and compare it with the register; writes only the job's preview."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_preview(job)


@shared_task(time_limit=1800, soft_time_limit=1740)
def commit_import_task(job_pk):
    """Write a confirmed import in one transaction."""
    job = ImportJob.objects.select_related("community", "compound").filter(pk=job_pk).first()
    if job is not None:
        imports.import_job_commit(job)


@shared_task(time_limit=export_jobs.TIME_LIMIT - 60, soft_time_limit=export_jobs.TIME_LIMIT - 120)
def export_task(job_pk):
    """Write an export in the background; the page polls its progress."""
    export_jobs.export_job_run(job_pk)


@shared_task(time_limit=600, soft_time_limit=540)
def tidy_exports_task():
    """Beat: fail exports a lost worker left behind; delete exported files (personal data) after EXPORT_KEEP_HOURS."""
    return export_jobs.export_jobs_tidy()
