"""Exports in the background: written once by a worker, with progress, downloaded only by the asker,
deleted after a day."""

import datetime
import io
import os

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from households import export_jobs
from households.models import AuditEvent, ExportJob, Role, RoleAssignment

Status = ExportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start(client, user, **data):
    client.force_login(user)
    return client.post(reverse("households:export_start"), {"kind": "households", "fmt": "xlsx", **data})


def test_a_started_export_is_written_by_the_task_and_downloads_for_its_owner(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]

    response = start(client, staff)
    job = ExportJob.objects.get()
    queued = client.get(reverse("households:export_progress", args=[job.pk])).json()
    export_jobs.export_job_run(job.pk)
    done = client.get(reverse("households:export_progress", args=[job.pk])).json()
    page = client.get(reverse("households:exports"))
    download = client.get(reverse("households:export_download", args=[job.pk]))

    assert response.status_code == 302
    assert queued == {"status": "queued", "status_label": "Waiting", "running": True, "total": 0, "done": 0}
    assert done["status"] == "done"
    assert not done["running"]
    assert done["total"] == done["done"] == 2  # the two residents of the staff's community
    assert reverse("households:export_download", args=[job.pk]) in page.content.decode()
    assert download["Content-Disposition"].startswith("attachment")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert {row[4] for row in rows[2:]} == {world.resident.name, world.other_resident.name}
    assert job.file_name.startswith("住户信息表-")
    assert job.file_name.endswith(".xlsx")
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).detail["rows"] == 2


def test_a_task_delivered_twice_writes_the_export_once(world):
    job = export_jobs.export_job_create(actor=world.users[Role.COMMITTEE_STAFF], kind="roster", fmt="xlsx")

    export_jobs.export_job_run(job.pk)
    first = ExportJob.objects.get().file.name
    export_jobs.export_job_run(job.pk)

    assert ExportJob.objects.get().file.name == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_a_job_left_writing_by_a_killed_worker_is_taken_up_again_after_the_time_limit(world):
    job = export_jobs.export_job_create(actor=world.users[Role.COMMITTEE_STAFF], kind="households", fmt="csv")
    recently = timezone.now() - datetime.timedelta(seconds=60)
    ExportJob.objects.filter(pk=job.pk).update(status=Status.WRITING, started_at=recently)

    export_jobs.export_job_run(job.pk)
    assert ExportJob.objects.get().status == Status.WRITING  # another worker may still be at it

    long_ago = timezone.now() - datetime.timedelta(seconds=export_jobs.TIME_LIMIT + 1)
    ExportJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    export_jobs.export_job_run(job.pk)
    assert ExportJob.objects.get().status == Status.DONE


def test_nobody_else_sees_or_downloads_an_export(client, world):
    staff, other = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]
    job = export_jobs.export_job_create(actor=staff, kind="households", fmt="xlsx")
    export_jobs.export_job_run(job.pk)
    client.force_login(other)

    page = client.get(reverse("households:exports"))

    assert reverse("households:export_download", args=[job.pk]) not in page.content.decode()
    assert client.get(reverse("households:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("households:export_progress", args=[job.pk])).status_code == 404


def test_an_account_that_lost_its_areas_gets_neither_the_export_nor_the_file(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    written = export_jobs.export_job_create(actor=staff, kind="households", fmt="xlsx")
    export_jobs.export_job_run(written.pk)
    waiting = export_jobs.export_job_create(actor=staff, kind="households", fmt="xlsx")

    RoleAssignment.objects.filter(user=staff).delete()
    export_jobs.export_job_run(waiting.pk)
    client.force_login(staff)

    waiting.refresh_from_db()
    assert waiting.status == Status.FAILED
    assert waiting.message == "Your account has no areas to export."
    assert client.get(reverse("households:export_download", args=[written.pk])).status_code == 404


def test_a_foreign_building_or_an_unknown_table_is_refused_with_a_message(client, world):
    leader = world.users[Role.BUILDING_LEADER]

    foreign = start(client, leader, kind="roster", building=world.far_building.pk)
    unknown = start(client, leader, kind="everything")
    page = client.get(reverse("households:exports"))

    assert foreign.status_code == unknown.status_code == 302
    assert not ExportJob.objects.exists()
    assert "Select a valid choice" in page.content.decode()


def test_files_older_than_the_keeping_time_are_deleted_and_the_record_stays(world, settings):
    settings.EXPORT_KEEP_HOURS = 24
    staff = world.users[Role.COMMITTEE_STAFF]
    old, fresh = (export_jobs.export_job_create(actor=staff, kind="households", fmt="csv") for _ in range(2))
    for job in (old, fresh):
        export_jobs.export_job_run(job.pk)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))

    deleted = export_jobs.export_jobs_delete_old()

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert deleted == 1
    assert (old.status, old.file.name) == (Status.EXPIRED, "")
    assert not os.path.exists(path)
    assert fresh.status == Status.DONE
    assert fresh.file.storage.exists(fresh.file.name)
