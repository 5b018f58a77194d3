"""Staff export a table (or a campaign): the worker writes it while the page shows its progress, then it
downloads.

With Redis (CI), a real Celery worker process writes the file; on a laptop without it, the task runs
in-process."""

import io

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.models import ExportJob, Recipient
from tests.households.factories import CampaignFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_staff_export_the_household_table_and_download_it(world, open_page, screenshot, tasks):
    page = open_page("desktop")
    page.goto("/exports/")
    log_in(page, "staff")

    # When staff ask for the household table of all their areas as .xlsx
    with page.expect_navigation():
        page.locator("form.export-households button[value=xlsx]").click()

    # Then it is listed under their exports and becomes ready to download
    job = page.locator("table.my-exports tbody tr").first
    expect(job.locator("a.download")).to_be_visible(timeout=60_000)
    expect(job.locator(".status")).to_have_text("可以下载")
    screenshot(page, "export-done.png")
    with page.expect_download() as download:
        job.locator("a.download").click()
    assert download.value.suggested_filename == ExportJob.objects.get().file_name
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    names = {row[4] for row in workbook.active.iter_rows(min_row=3, values_only=True)}
    assert world.resident.name in names
    assert world.far_resident.name not in names
    assert len(names) == ExportJob.objects.get().rows_written


def test_staff_export_a_sent_campaign_in_the_background_and_download_it(world, open_page, tasks):
    campaign = CampaignFactory(community=world.community, sent_at=timezone.now())
    for resident in (world.resident, world.other_resident):
        Recipient.objects.create(campaign=campaign, resident=resident, building=resident.building)
    page = open_page("desktop")
    page.goto(f"/campaigns/{campaign.pk}/")
    log_in(page, "staff")

    # When staff press the campaign's export button
    with page.expect_navigation():
        page.locator("form.campaign-export button").click()

    # Then they are on their exports, where the campaign's table is written and becomes ready
    assert page.url.endswith("/exports/")
    job = page.locator("table.my-exports tbody tr").first
    expect(job).to_contain_text(campaign.title)
    expect(job.locator("a.download")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        job.locator("a.download").click()
    exported = ExportJob.objects.get(campaign=campaign)
    assert download.value.suggested_filename == exported.file_name
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    names = {row[1] for row in workbook.active.iter_rows(min_row=3, values_only=True)}
    assert names == {world.resident.name, world.other_resident.name}
    assert exported.rows_written == 2
