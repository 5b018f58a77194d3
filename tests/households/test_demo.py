"""`make demo` loads its community through the same spreadsheet import an admin uses."""

import datetime
import io
import re
from collections import Counter

import openpyxl
import pytest
from django.core.management import call_command

from households import selectors
from households.demo import DEMO_SHEET, StreetPlan, build_street
from households.models import Building, Community, ImportJob, Resident, ResidentTag, Role, RoleAssignment, Tag, Zone
from households.scoping import AreaScope
from lockdown.models import User
from tests.conftest import ROOT

DEMO_DAY = datetime.date(2022, 4, 1)  # the day the demo's register describes (demo.write_demo_workbook)


def test_load_demo_imports_the_sample_spreadsheet_and_creates_the_accounts(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - output is not under test

    job = ImportJob.objects.get()
    assert (job.status, job.file_name, job.rejected) == (ImportJob.Status.DONE, "demo-register.xlsx", 1)
    assert Resident.objects.count() == job.created > 2800
    assert Building.objects.filter(zone=None).count() == 0
    assert Zone.objects.count() == 6
    # One account per role; the approved volunteers' accounts cover their buildings too.
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert RoleAssignment.objects.exclude(role=Role.VOLUNTEER).count() == len(Role.values) - 1
    # the rounded ID number rejects its row; the short phone number is kept in the resident's notes
    assert [e["column"] for e in job.errors] == ["身份证号"]
    assert [e["column"] for e in job.findings["kept"]] == ["联系电话"]


def test_a_street_of_several_communities_gives_every_resident_an_id_number_of_their_own(db, monkeypatch):
    # Everyone born on one day: the numbers then differ only by the count of people given one.
    monkeypatch.setattr("households.demo._person", lambda rng, today, age_bias: (datetime.date(1960, 1, 1), "F"))
    plan = StreetPlan(communities=2, compounds_per_community=1, buildings_per_compound=2, floors=2)

    street = build_street(name="测试路街道", plan=plan)

    numbers = list(Resident.objects.filter(community__street=street).values_list("id_number", flat=True))
    assert Community.objects.filter(street=street).count() == 2
    assert len(numbers) == len(set(numbers)) > 20


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    return Community.objects.get()


def age(birth_date, today=DEMO_DAY):
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def test_the_demo_s_pregnant_residents_are_women_of_child_bearing_age(demo):
    pregnant = Resident.objects.filter(tags__tag=Tag.PREGNANT)

    assert pregnant.count() >= 10
    assert set(pregnant.values_list("sex", flat=True)) == {"F"}
    assert all(18 <= age(birth) <= 45 for birth in pregnant.values_list("birth_date", flat=True))


def test_the_demo_s_disabled_and_door_to_door_service_vary_by_building_and_mostly_go_together(demo):
    tagged = ResidentTag.objects.filter(tag__in=[Tag.DISABLED, Tag.DOOR_SERVICE])
    by_building = Counter(tagged.values_list("building_id", "tag"))
    buildings = list(Building.objects.values_list("id", flat=True))
    disabled = set(tagged.filter(tag=Tag.DISABLED).values_list("resident_id", flat=True))
    served = set(tagged.filter(tag=Tag.DOOR_SERVICE).values_list("resident_id", flat=True))
    alone_and_old = {
        resident.pk
        for resident in Resident.objects.filter(pk__in=served, tags__tag=Tag.ALONE)
        if age(resident.birth_date) >= 80
    }

    differ = [b for b in buildings if by_building[b, Tag.DISABLED] != by_building[b, Tag.DOOR_SERVICE]]
    assert len(differ) >= len(buildings) // 2
    assert len(disabled) > len(served) >= 20
    assert len(served & (disabled | alone_and_old)) >= 0.8 * len(served)  # who needs a visit, mostly
    assert disabled - served  # but neither follows from the other
    assert served - disabled


def test_the_readme_s_searches_find_residents_in_the_demo(demo):
    readme = (ROOT / "README.md").read_text()
    (row,) = [line for line in readme.splitlines() if line.startswith("| Search by")]
    examples = re.findall(r"`([^`]+)`", row)
    scope = AreaScope.for_user(User.objects.get(username="staff"))

    found = {example: selectors.resident_search(scope, example)[0] for example in examples}

    assert set(examples) >= {"zs", "12-3-501", "12-501"}
    assert {example for example, rows in found.items() if not rows} == set()
    assert {row.room_label for row in found["12-3-501"]} == {"梅苑 12-3-501", "兰苑 12-3-501"}
    assert {row.room_label.split()[1] for row in found["12-501"]} == {"12-1-501", "12-2-501", "12-3-501"}


def test_the_committed_demo_workbook_is_the_one_demo_spreadsheet_writes(tmp_path):
    written = tmp_path / "demo-register.xlsx"
    call_command("demo_spreadsheet", output=written, stdout=io.StringIO())

    def cells(path):
        workbook = openpyxl.load_workbook(path, read_only=True)
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}

    assert cells(written) == cells(DEMO_SHEET)
