"""The import pages: thin over the services, scoped, and the same file twice is said out loud."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from households.models import ImportJob, Resident, Role
from lockdown.celery import app
from tests.households.sheets import xlsx

from .test_imports import COLUMNS, IDS

Status = ImportJob.Status


@pytest.fixture(autouse=True)
def _media_and_tasks_in_process(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def sheet(tmp_path, name="登记表.xlsx"):
    rows = [["12", "3", "501", "周杰", IDS[0], "", "13800000001", "", ""], ["12", "3", "502", "", "", "", "", "", ""]]
    rows[1][6] = "13800000002"  # a row without a name: rejected
    return xlsx(tmp_path / name, {"Sheet1": [COLUMNS, *rows]})


def post_upload(client, world, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("spreadsheets:imports"),
            {"community": world.community.pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
        )


def test_upload_preview_confirm_and_the_register_has_the_resident(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = post_upload(client, world, sheet(tmp_path), django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("spreadsheets:import", args=[job.pk])
    assert job.ip_address == "127.0.0.1"  # the uploader's address, as every background job keeps it
    assert job.file.name.startswith(f"imports/{timezone.localtime(job.created_at):%Y/%m}/")
    page = client.get(response.url)
    assert page.context["job"].status == Status.PREVIEW
    html = page.content.decode()
    assert "The name is empty." in html
    assert reverse("spreadsheets:import_rejected", args=[job.pk]) in html
    progress = client.get(reverse("spreadsheets:import_progress", args=[job.pk])).json()
    assert progress | {"status_label": ""} == {
        "status": "preview",
        "status_label": "",
        "running": False,
        "total": 3,
        "done": 3,
        "percent": 100,
        "message": "",
        "lines_total": 3,
        "lines_read": 3,
        "rows_checked": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Resident.objects.filter(name="周杰", household__room="501").exists()
    rejected = client.get(reverse("spreadsheets:import_rejected", args=[job.pk]))
    assert rejected["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in rejected["Content-Disposition"]


def test_the_same_file_uploaded_twice_says_so(client, world, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    path = sheet(tmp_path)
    post_upload(client, world, path, django_capture_on_commit_callbacks)
    first = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:import_confirm", args=[first.pk]))

    second = post_upload(client, world, path, django_capture_on_commit_callbacks)

    html = client.get(second.url).content.decode()
    assert "This very file was already imported" in html
    assert f"import #{first.pk}" in html


def test_a_wrong_file_gets_a_message_on_the_form_and_no_job(client, world, tmp_path):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.post(
        reverse("spreadsheets:imports"),
        {"community": world.community.pk, "file": SimpleUploadedFile("notes.txt", b"hello")},
    )

    assert response.status_code == 200
    assert "Upload an .xlsx, .xls or .csv file." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_leaders_cannot_import_and_other_communities_jobs_are_not_found(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    post_upload(client, world, sheet(tmp_path), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    client.force_login(world.users[Role.BUILDING_LEADER])
    page = client.get(reverse("spreadsheets:imports"))
    refused = post_upload(client, world, sheet(tmp_path), django_capture_on_commit_callbacks)

    assert page.context["can_import"] is False
    assert refused.status_code == 200
    assert ImportJob.objects.count() == 1
    for name in ("import", "import_progress", "import_rejected"):
        assert client.get(reverse(f"spreadsheets:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("spreadsheets:import_confirm", args=[job.pk])).status_code == 404


def test_cancel_writes_nothing(client, world, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    post_upload(client, world, sheet(tmp_path), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    client.post(reverse("spreadsheets:import_cancel", args=[job.pk]))
    late_confirm = client.post(reverse("spreadsheets:import_confirm", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.status == Status.CANCELLED
    assert "not waiting for confirmation" in late_confirm.content.decode()
    assert not Resident.objects.filter(name="周杰").exists()


def test_choosing_columns_on_the_page_reads_the_file_again(client, world, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    path = xlsx(tmp_path / "m.xlsx", {"S": [["房屋", "住户"], ["12-3-509", "孙丽"]]})
    post_upload(client, world, path, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == Status.NEEDS_MAPPING
    form = client.get(reverse("spreadsheets:import", args=[job.pk])).context["columns_form"]
    choices = {form.keys[name]: name for name in form.fields}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("spreadsheets:import_columns", args=[job.pk]), {choices["房屋"]: "room", choices["住户"]: "name"}
        )

    job.refresh_from_db()
    assert (job.status, job.created) == (Status.PREVIEW, 1)


def test_the_preview_asks_what_words_mean_and_reads_the_file_again(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    rows = [["12", "3", "501", "周杰", "", "", "", "", ""], ["12", "3", "501", "周杰", "", "", "", "", ""]]
    rows.append(["12", "3", "502", "李梅", "", "", "", "常住外地", ""])
    post_upload(client, world, xlsx(tmp_path / "w.xlsx", {"S": [COLUMNS, *rows]}), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    page = client.get(reverse("spreadsheets:import", args=[job.pk]))
    form = page.context["choices_form"]
    html = page.content.decode()
    assert "常住外地" in html
    assert "The same person on several rows" in html
    (word,) = form.words
    (keep,) = form.duplicates

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("spreadsheets:import_choices", args=[job.pk]), {word: "away", keep: "1"})

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.findings["unknown"], job.findings["duplicates"]) == (
        Status.PREVIEW,
        2,
        [],
        [],
    )
    assert job.words == {"presence": {"常住外地": "away"}}
    # the decisions stay on the page, to be seen and changed: the word explained, the row kept
    again = client.get(reverse("spreadsheets:import", args=[job.pk])).context["choices_form"]
    assert [again[key].initial for key in again.words] == ["away"]
    assert [again[key].initial for key in again.duplicates] == ["1"]


def test_a_column_the_import_does_not_know_is_flagged_and_the_column_panel_opens(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    path = xlsx(tmp_path / "c.xlsx", {"S": [["室号", "姓名", "身高"], ["12-3-501", "周杰", "170"]]})
    post_upload(client, world, path, django_capture_on_commit_callbacks)

    page = client.get(reverse("spreadsheets:import", args=[ImportJob.objects.get().pk]))

    assert page.context["unrecognised"] == ["身高"]
    html = page.content.decode()
    assert "These columns are not recognised" in html
    assert '<details class="card columns" open>' in html


def test_a_preview_lists_every_rejected_row_a_page_at_a_time(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    rows = [["12", "3", f"{i}", "", "", "", "13800000001", "", ""] for i in range(1, 251)]
    post_upload(client, world, xlsx(tmp_path / "e.xlsx", {"S": [COLUMNS, *rows]}), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    second = client.get(reverse("spreadsheets:import", args=[job.pk]), {"page": 2})

    assert job.rejected == 250
    assert [e["line"] for e in second.context["errors"]] == list(range(202, 252))


def test_confirming_with_decisions_not_yet_read_reads_the_file_again_instead_of_writing(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    rows = [["12", "3", "502", "李梅", "", "", "", "跑外卖", ""]]
    post_upload(client, world, xlsx(tmp_path / "w.xlsx", {"S": [COLUMNS, *rows]}), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    form = client.get(reverse("spreadsheets:import", args=[job.pk])).context["choices_form"]
    (word,) = form.words
    decisions = {word: "away", "compound": str(world.building.compound_id), "compound_name": ""}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("spreadsheets:import_confirm", args=[job.pk]), decisions, follow=True)

    job.refresh_from_db()
    assert (job.status, job.words) == (Status.PREVIEW, {"presence": {"跑外卖": "away"}})
    assert "read again" in first.content.decode()
    assert not Resident.objects.filter(name="李梅").exists()
    form = client.get(reverse("spreadsheets:import", args=[job.pk])).context["choices_form"]
    (word,) = form.words  # the word is listed again, as explained, with the meaning chosen
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:import_confirm", args=[job.pk]), decisions | {word: "away"})

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Resident.objects.get(name="李梅").presence == "away"


def test_confirming_a_preview_whose_decisions_are_as_proposed_writes_at_once(
    client, world, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    path = sheet(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("spreadsheets:imports"),
            {"community": world.community.pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
        )
    job = ImportJob.objects.get()
    form = client.get(reverse("spreadsheets:import", args=[job.pk])).context["choices_form"]
    on_page = {name: form[name].value() or "" for name in form.fields if name != "without_rounded_ids"}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spreadsheets:import_confirm", args=[job.pk]), on_page)

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Resident.objects.filter(name="周杰").exists()
