"""Exports in the background: written once by a worker, with progress, downloaded only by the asker,
deleted after a day."""

import datetime
import io
import os
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import AuditEvent, ExportJob, Role, RoleAssignment
from households.spreadsheets import exports
from lockdown.core.errors import ServiceError

Status = ExportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start(client, user, **data):
    client.force_login(user)
    return client.post(reverse("spreadsheets:export_start"), {"kind": "households", "fmt": "xlsx", **data})


def test_a_started_export_is_written_by_the_task_and_downloads_for_its_owner(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]

    response = start(client, staff)
    job = ExportJob.objects.get()
    queued = client.get(reverse("spreadsheets:export_progress", args=[job.pk])).json()
    exports.export_job_run(job.pk)
    done = client.get(reverse("spreadsheets:export_progress", args=[job.pk])).json()
    page = client.get(reverse("spreadsheets:exports"))
    download = client.get(reverse("spreadsheets:export_download", args=[job.pk]))

    assert response.status_code == 302
    assert queued == {
        "status": "queued",
        "status_label": "Waiting",
        "running": True,
        "total": 0,
        "done": 0,
        "percent": 0,
        "message": "",
    }
    assert done["status"] == "done"
    assert not done["running"]
    assert done["total"] == done["done"] == 2  # the two residents of the staff's community
    assert reverse("spreadsheets:export_download", args=[job.pk]) in page.content.decode()
    assert download["Content-Disposition"].startswith("attachment")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert {row[4] for row in rows[2:]} == {world.resident.name, world.other_resident.name}
    assert job.file_name.startswith("住户信息表-")
    assert job.file_name.endswith(".xlsx")
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).detail["rows"] == 2


def test_a_task_delivered_twice_writes_the_export_once(world):
    job = exports.export_job_create(actor=world.users[Role.COMMITTEE_STAFF], kind="roster", fmt="xlsx")

    exports.export_job_run(job.pk)
    first = ExportJob.objects.get().file.name
    exports.export_job_run(job.pk)

    assert ExportJob.objects.get().file.name == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_jobs_a_lost_worker_left_behind_are_failed_by_the_tidy_up(world):
    staff, leader = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]
    stuck = exports.export_job_create(actor=staff, kind="households", fmt="csv")
    lost = exports.export_job_create(actor=leader, kind="roster", fmt="csv")
    busy = exports.export_job_create(actor=world.users[Role.ZONE_LEADER], kind="roster", fmt="csv")
    long_ago = timezone.now() - datetime.timedelta(seconds=exports.TIME_LIMIT + 1)
    ExportJob.objects.filter(pk=stuck.pk).update(status=Status.WRITING, started_at=long_ago)
    ExportJob.objects.filter(pk=lost.pk).update(created_at=long_ago)
    ExportJob.objects.filter(pk=busy.pk).update(status=Status.WRITING, started_at=timezone.now())

    assert exports.export_jobs_tidy() == 2

    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: Status.FAILED, lost.pk: Status.FAILED, busy.pk: Status.WRITING}
    assert ExportJob.objects.get(pk=stuck.pk).message == "The export was interrupted. Start it again."
    exports.export_job_run(lost.pk)  # its message arrives late: nothing is written
    assert ExportJob.objects.get(pk=lost.pk).status == Status.FAILED


def test_one_export_at_a_time_per_account(world):
    staff = world.users[Role.COMMITTEE_STAFF]
    first = exports.export_job_create(actor=staff, kind="households", fmt="csv")

    with pytest.raises(ServiceError, match="still being written"):
        exports.export_job_create(actor=staff, kind="roster", fmt="csv")
    exports.export_job_run(first.pk)
    exports.export_job_create(actor=staff, kind="roster", fmt="csv")

    assert ExportJob.objects.count() == 2


def test_nobody_else_sees_or_downloads_an_export(client, world):
    staff, other = world.users[Role.COMMITTEE_STAFF], world.users[Role.BUILDING_LEADER]
    job = exports.export_job_create(actor=staff, kind="households", fmt="xlsx")
    exports.export_job_run(job.pk)
    client.force_login(other)

    page = client.get(reverse("spreadsheets:exports"))

    assert reverse("spreadsheets:export_download", args=[job.pk]) not in page.content.decode()
    assert client.get(reverse("spreadsheets:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("spreadsheets:export_progress", args=[job.pk])).status_code == 404


def test_an_account_that_lost_its_areas_gets_neither_the_export_nor_the_file(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    written = exports.export_job_create(actor=staff, kind="households", fmt="xlsx")
    exports.export_job_run(written.pk)
    waiting = exports.export_job_create(actor=staff, kind="households", fmt="xlsx")

    RoleAssignment.objects.filter(user=staff).delete()
    exports.export_job_run(waiting.pk)
    client.force_login(staff)
    download = client.get(reverse("spreadsheets:export_download", args=[written.pk]), follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Status.FAILED
    assert waiting.message == "Your account has no areas to export."
    assert download.redirect_chain[-1][0] == reverse("spreadsheets:exports")
    assert "export it again" in download.content.decode()


def test_a_file_written_under_wider_rights_is_not_handed_out_after_a_downgrade(client, world):
    staff = world.users[Role.COMMITTEE_STAFF]
    job = exports.export_job_create(actor=staff, kind="households", fmt="xlsx")
    exports.export_job_run(job.pk)
    client.force_login(staff)
    assert client.get(reverse("spreadsheets:export_download", args=[job.pk])).status_code == 200

    # Staff of the community become the leader of one building: the file has unmasked numbers of all
    RoleAssignment.objects.filter(user=staff).update(role=Role.BUILDING_LEADER, community=None, building=world.building)
    refused = client.get(reverse("spreadsheets:export_download", args=[job.pk]))

    assert refused.status_code == 302
    assert refused.url == reverse("spreadsheets:exports")


def test_a_foreign_building_or_an_unknown_table_is_refused_with_a_message(client, world):
    leader = world.users[Role.BUILDING_LEADER]

    foreign = start(client, leader, kind="roster", building=world.far_building.pk)
    unknown = start(client, leader, kind="everything")
    page = client.get(reverse("spreadsheets:exports"))

    assert foreign.status_code == unknown.status_code == 302
    assert not ExportJob.objects.exists()
    assert "Select a valid choice" in page.content.decode()


def test_files_older_than_the_keeping_time_are_deleted_and_the_record_stays(world, settings):
    settings.EXPORT_KEEP_HOURS = 24
    staff = world.users[Role.COMMITTEE_STAFF]
    old = exports.export_job_create(actor=staff, kind="households", fmt="csv")
    exports.export_job_run(old.pk)
    fresh = exports.export_job_create(actor=staff, kind="households", fmt="csv")
    exports.export_job_run(fresh.pk)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))

    deleted = exports.export_jobs_tidy()

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert deleted == 1
    assert (old.status, old.file.name) == (Status.EXPIRED, "")
    assert not os.path.exists(path)
    assert fresh.status == Status.DONE
    assert fresh.file.storage.exists(fresh.file.name)


def card_titles(html):
    """The heading of each export card, tags stripped, by the table's kind."""
    cards = re.findall(r'class="card form export-(\w+)">.*?<h2>(.*?)</h2>', html, re.S)
    return {kind: " ".join(re.sub(r"<[^>]+>", " ", title).split()) for kind, title in cards}


def test_each_export_card_names_its_table_once_in_either_language(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    chinese = card_titles(client.get(reverse("spreadsheets:exports"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = card_titles(client.get(reverse("spreadsheets:exports")).content.decode())

    assert chinese == {"households": "住户信息表", "key_population": "重点人群表", "roster": "一楼一表（打印用）"}
    assert english == {
        "households": "住户信息表 Household table",
        "key_population": "重点人群表 Key-population table",
        "roster": "一楼一表 Building roster for printing",
    }
