"""An admin brings the committee's spreadsheet: upload → preview → confirm → the register has the residents.

With Redis (CI), a real Celery worker process reads and writes; on a laptop without it, the tasks
run in-process."""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from households.models import ImportJob, Resident
from tests.households.factories import valid_id_number
from tests.households.sheets import xlsx

from .conftest import log_in

pytestmark = pytest.mark.browser


def committee_sheet(tmp_path):
    born = datetime.date(1941, 6, 3)
    sun = valid_id_number(31, birth=born)
    return xlsx(
        tmp_path / "金杨新村12号楼.xlsx",
        {
            "12号楼": [
                ["单元", "室号", "姓名", "性别", "身份证号码", "出生日期", "联系电话", "重点人群", "在住情况"],
                [3, 601, "孙建国", "男", sun, born, 13800000011, "独居老人、高血压", "在家"],
                [3, 601, "", "", "", "", 13800000012, "", ""],
                ["３", "６０２", "周秀英", "女", "", "1950年2月3日", "13800000013 / 021-62800001", "", "外出务工"],
                [3, 603, "吴海燕", "女", "", "1988.7.9", "13800000014", "孕妇（预产期2022-06-01）", ""],
                [3, 604, "郑丽", "女", "", "", "13800000015", "", "常住外地"],
                [3, 603, "吴海燕", "女", "", "", "", "", ""],
            ]
        },
        title_rows=["金杨居民区 金杨新村12号楼 住户信息表"],
    )


def test_admin_uploads_previews_confirms_and_finds_the_residents(world, open_page, screenshot, tasks, tmp_path):
    page = open_page("desktop")
    page.goto("/imports/")
    log_in(page, "staff")

    # Given the import page, the admin picks the compound and the file, and uploads
    page.locator("select[name=compound]").select_option(str(world.building.compound_id))
    page.locator("input[name=file]").set_input_files(str(committee_sheet(tmp_path)))
    screenshot(page, "import-upload.png")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()

    # Then the preview shows three new residents, the row without a name with its reason, the same
    # person twice held back, and the one phrase it does not understand
    job = ImportJob.objects.get()
    assert page.url.endswith(f"/imports/{job.pk}/")
    expect(page.locator(".count-created")).to_have_text("3", timeout=60_000)
    expect(page.locator(".count-rejected")).to_have_text("1")
    expect(page.locator(".count-held")).to_have_text("2")
    expect(page.locator(".count-unknown")).to_have_text("1")
    rejected = page.locator("table.rejected tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected.locator("td").nth(1)).to_have_text("4")
    expect(rejected.locator("td").nth(2)).to_have_text("姓名")
    assert Resident.objects.filter(name="孙建国").count() == 0  # nothing written before confirming
    screenshot(page, "import-preview.png")

    # When the admin says what the phrase means and keeps the first row of the same person, the
    # file is read again with those decisions
    choices = page.locator("section.choices")
    choices.get_by_label("在住情况 · 常住外地").select_option(label="外出")
    choices.get_by_label("保留工作表 12号楼 第 6 行").check()
    with page.expect_navigation():
        choices.locator("button.read-again").click()
    expect(page.locator(".count-created")).to_have_text("4", timeout=60_000)
    expect(page.locator(".count-held")).to_have_count(0)
    expect(page.locator(".count-unknown")).to_have_count(0)

    # When the admin confirms, the import runs and the page says it is done
    page.locator("button.confirm-import").click()
    expect(page.locator(".heading .status")).to_have_class(re.compile("status-done"), timeout=60_000)
    screenshot(page, "import-done.png")

    # And the building's page lists the new residents in their rooms
    page.goto(f"/buildings/{world.building.pk}/")
    for name in ("孙建国", "周秀英", "吴海燕", "郑丽"):
        expect(page.get_by_text(name)).to_be_visible()
    assert Resident.objects.get(name="周秀英").household.label == "12-3-602"
    assert [r.presence for r in Resident.objects.filter(name__in=["周秀英", "郑丽"])] == ["away", "away"]
    assert Resident.objects.get(name="吴海燕").tags.get().due_date == datetime.date(2022, 6, 1)
    assert settings.LANGUAGE_CODE == "zh-hans"
