"""The background-job base: every job answers the page's progress bar the same way, from its own counters."""

import pytest

from households.models import ExportJob, ImportJob
from lockdown.core.jobs import BackgroundJob, progress_response
from tests.households.factories import UserFactory


def test_an_export_reports_rows_written_of_rows_to_write_with_a_percent():
    job = ExportJob(status=ExportJob.Status.WRITING, rows_written=500, rows_total=2000, message="")

    assert job.progress_json() == {
        "status": "writing",
        "status_label": "Writing",
        "running": True,
        "done": 500,
        "total": 2000,
        "percent": 25,
        "message": "",
    }


def test_an_import_reports_lines_read_then_the_whole_file_while_it_is_written():
    reading = ImportJob(status=ImportJob.Status.READING, lines_read=300, lines_total=900)
    committing = ImportJob(status=ImportJob.Status.COMMITTING, lines_read=300, lines_total=900)

    assert (reading.progress_json()["done"], reading.progress_json()["percent"]) == (300, 33)
    assert (committing.progress_json()["done"], committing.progress_json()["percent"]) == (900, 100)


def test_a_job_with_nothing_counted_yet_is_at_zero_percent_and_a_failed_one_says_why():
    queued = ExportJob(status=ExportJob.Status.QUEUED)
    failed = ImportJob(status=ImportJob.Status.FAILED, lines_read=3, lines_total=10, message="The file is empty.")

    assert (queued.progress_json()["percent"], queued.progress_json()["running"]) == (0, True)
    assert failed.progress_json() | {"status_label": None} == {
        "status": "failed",
        "status_label": None,
        "running": False,
        "done": 3,
        "total": 10,
        "percent": 30,
        "message": "The file is empty.",
    }


def test_the_progress_answer_adds_a_jobs_own_numbers_to_the_shared_ones():
    job = ImportJob(status=ImportJob.Status.READING, lines_read=1, lines_total=4, rows_checked=0)

    response = progress_response(job, rows_checked=job.rows_checked)

    assert response["Content-Type"] == "application/json"
    assert response.content.decode().count('"percent": 25') == 1
    assert b'"rows_checked": 0' in response.content


def test_every_job_is_a_background_job_with_its_own_files_folder():
    assert issubclass(ImportJob, BackgroundJob)
    assert issubclass(ExportJob, BackgroundJob)
    assert (ImportJob.FILE_FOLDER, ExportJob.FILE_FOLDER) == ("imports", "exports")
    assert ImportJob._meta.get_field("file").generate_filename(ImportJob(), "a.xlsx").startswith("imports/")


@pytest.mark.django_db
def test_progress_is_stored_only_while_the_job_keeps_its_status():
    job = ExportJob.objects.create(created_by=UserFactory(), kind="households", fmt="csv", status="writing")
    before = job.progress_at

    kept = job.report_progress(rows_written=10, rows_total=20)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
    moved_on = job.report_progress(rows_written=20)

    stored = ExportJob.objects.get(pk=job.pk)
    assert (kept, moved_on) == (True, False)
    assert (stored.rows_written, stored.rows_total) == (10, 20)
    assert stored.progress_at > before
