"""A hostile upload fails its own import job with what to do, never the process reading it; a job whose
worker was lost ends failed, and an admin can cancel a job that is not writing."""

import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from households.models import ImportJob, Resident, Role
from households.spreadsheets import tasks
from households.spreadsheets.imports import import_job_cancel, import_job_commit, import_job_create, import_job_preview
from lockdown.core.errors import ServiceError
from tests.core.test_spreadsheets_hostile import shared_strings_workbook, sheet_xml, workbook_with_sheet_xml

from .test_imports import register_file

Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def bomb(tmp_path):
    """2 KB: a name in A1, and an x in the sheet's last cell, XFD1048576."""
    path = tmp_path / "登记表.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "姓名"
    workbook.active["XFD1048576"] = "x"
    workbook.save(path)
    return path


def uploaded(world, path, language="en"):
    with translation.override(language):
        return import_job_create(
            actor=world.users[Role.COMMITTEE_STAFF],
            community=world.community,
            compound=world.building.compound,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
        )


def test_a_value_in_the_sheets_last_cell_fails_the_job_with_what_to_do_and_nothing_else(world, tmp_path):
    residents = Resident.objects.count()
    job = uploaded(world, bomb(tmp_path), language="zh-hans")

    import_job_preview(job)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == (
        "工作表“Sheet”的内容占了 1,048,576 行 × 16,384 列，最多只能读取 200,000 行、200 列。"
        "请删除数据以外的内容（远在数据下方或右侧的零星单元格），或把数据复制到一个新工作簿，再重新上传。"
    )
    assert Resident.objects.count() == residents


def test_a_reading_that_runs_out_of_memory_fails_its_job_not_the_worker(world, tmp_path):
    rows = "".join(f'<row r="{line}"><c r="A{line}"><v>{line}</v></c></row>' for line in range(1, 3_001))
    xml = sheet_xml(rows + '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>')
    job = uploaded(world, workbook_with_sheet_xml(tmp_path / "slips.xlsx", xml))

    import_job_preview(job)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message.startswith("Reading this file needed more memory than an import may use")


def test_a_cell_of_more_text_than_excel_allows_fails_the_job_saying_where(world, tmp_path):
    path = shared_strings_workbook(tmp_path / "登记表.xlsx", ["姓名", "x" * 40_000], [0, 0, 1])
    job = uploaded(world, path, language="zh-hans")

    import_job_preview(job)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == (
        "工作表“Sheet”第 3 行有一个单元格的文字超过了 Excel 一个单元格所能容纳的长度（32,767 个字符）："
        "这不是住户表。请确认文件没有选错，删除那段文字后再重新上传。"
    )


def test_a_csv_of_one_huge_line_fails_the_job_with_what_to_do(world, tmp_path):
    path = tmp_path / "登记表.csv"
    path.write_bytes("姓名,电话\n".encode() + b"x" * (2 * 2**20))
    job = uploaded(world, path)

    import_job_preview(job)

    job.refresh_from_db()
    assert (job.status, job.message[:48]) == (Status.FAILED, "Line 2 of the file is longer than 1,024 KB: this")


def test_a_file_that_is_no_spreadsheet_fails_the_job_as_unreadable(world, tmp_path):
    path = tmp_path / "登记表.xls"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\xff" * 3000)
    job = uploaded(world, path)

    import_job_preview(job)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == "This file cannot be read as a spreadsheet. Save it again as .xlsx and upload it."


def test_the_upload_page_keeps_the_file_and_leaves_its_reading_to_the_worker(client, world, tmp_path):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    path = bomb(tmp_path)
    response = client.post(
        reverse("spreadsheets:imports"),
        {"community": world.community.pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    job = ImportJob.objects.get()
    assert (response.status_code, job.status, job.lines_total) == (302, Status.QUEUED, 0)


def test_an_admin_can_cancel_a_job_being_read_and_its_reading_then_stops(world, tmp_path):
    job = uploaded(world, register_file(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(status=Status.READING)  # a worker claimed it

    import_job_cancel(actor=world.users[Role.COMMITTEE_STAFF], job=job)
    import_job_preview(job)  # a task delivered again finds it cancelled

    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def test_a_job_being_written_cannot_be_cancelled(world, tmp_path):
    job = uploaded(world, register_file(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(status=Status.COMMITTING)
    with pytest.raises(ServiceError):
        import_job_cancel(actor=world.users[Role.COMMITTEE_STAFF], job=job)


def test_the_tidy_fails_the_jobs_a_lost_worker_left_and_leaves_the_living(world, tmp_path):
    path = register_file(tmp_path)
    now = timezone.now()
    reading, writing, lost, waiting, alive = (uploaded(world, path, "zh-hans") for _ in range(5))
    ImportJob.objects.filter(pk=reading.pk).update(status=Status.READING, progress_at=now - MINUTES_31)
    ImportJob.objects.filter(pk=writing.pk).update(status=Status.COMMITTING, progress_at=now - MINUTES_31)
    ImportJob.objects.filter(pk=lost.pk).update(progress_at=now - datetime.timedelta(hours=6, minutes=1))
    ImportJob.objects.filter(pk=waiting.pk).update(progress_at=now - datetime.timedelta(hours=5))
    ImportJob.objects.filter(pk=alive.pk).update(status=Status.READING)

    assert tasks.tidy_imports_task() == 3

    jobs = {job.pk: (job.status, job.message) for job in ImportJob.objects.all()}
    assert jobs[reading.pk] == (Status.FAILED, "文件读取中途中断。请重新开始。")
    assert jobs[writing.pk] == (Status.FAILED, "导入中途中断，没有写入任何内容。请重新开始。")
    assert jobs[lost.pk] == (Status.FAILED, "文件读取中途中断。请重新开始。")
    assert jobs[waiting.pk] == (Status.QUEUED, "")  # a long queue in a crisis, not a lost task
    assert jobs[alive.pk] == (Status.READING, "")


MINUTES_31 = datetime.timedelta(minutes=31)


def test_the_imports_tidy_runs_every_five_minutes_and_the_exports_tidy_leaves_imports_alone(world, tmp_path, settings):
    job = uploaded(world, register_file(tmp_path))
    ImportJob.objects.filter(pk=job.pk).update(status=Status.READING, progress_at=timezone.now() - MINUTES_31)

    tasks.tidy_exports_task()

    job.refresh_from_db()
    assert job.status == Status.READING
    assert settings.CELERY_BEAT_SCHEDULE["tidy-imports"] == {
        "task": "households.spreadsheets.tasks.tidy_imports_task",
        "schedule": 300,
    }


def test_a_job_failed_as_lost_is_not_written_by_a_worker_that_comes_back(world, tmp_path):
    job = uploaded(world, register_file(tmp_path))
    import_job_preview(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.COMMITTING, progress_at=timezone.now() - datetime.timedelta(hours=1)
    )
    tasks.tidy_imports_task()
    job.refresh_from_db()
    residents = Resident.objects.count()

    import_job_commit(job)

    job.refresh_from_db()
    assert (job.status, Resident.objects.count()) == (Status.FAILED, residents)


def test_a_job_being_read_keeps_a_sign_of_life(world, tmp_path):
    job = uploaded(world, register_file(tmp_path))
    before = timezone.now()
    import_job_preview(job)
    job.refresh_from_db()
    assert (job.status, job.progress_at >= before) == (Status.PREVIEW, True)
