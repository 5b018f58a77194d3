"""A committee's register as an office suite saves it: LibreOffice's .xlsx, .xls and GB18030 .csv.

The files and what the register should hold (truth.json) are written by office_files/make.py. What
an import of them must do: load every good row, store no ID number that a number cell rounded,
report each person found twice as one duplicate, count away residents and elderly people living
alone as they are, and change nothing when the same file comes again.
"""

import datetime
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from households.models import ImportJob, Presence, Resident, Tag
from households.residents import is_80_plus
from households.spreadsheets import imports
from households.spreadsheets.imports import import_job_commit, import_job_confirm, import_job_preview

from .test_imports import previewed

HERE = Path(__file__).resolve().parent / "office_files"
TRUTH = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
FILES = {"register.xlsx": None, "register.xls": None, "1号楼.csv": "1号楼"}  # file → the one sheet it holds


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=FILES)
def office_file(request, tmp_path):
    name = request.param
    path = tmp_path / name
    shutil.copy(HERE / name, path)
    only = FILES[name]
    residents = [r for r in TRUTH["residents"] if only in (None, r["sheet"])]
    pairs = [p for p in TRUTH["duplicates"] if only in (None, p["sheet"])]
    return path, residents, pairs


def truth_counts(residents):
    return Counter(r["presence"] for r in residents), Counter(tag for r in residents for tag in r["tags"])


def test_before_any_decision_every_good_row_loads_and_nothing_false_is_stored(world, office_file):
    path, residents, pairs = office_file

    job = previewed(world, path)

    assert job.status == ImportJob.Status.PREVIEW, job.problems
    twice = {name for pair in pairs for name in pair["names"]}
    rounded = [r for r in residents if r["id_in_number_cell"] and r["name"] not in twice]
    # each person found twice is one duplicate, whatever else is wrong with either row
    assert sorted((d["why"][0], d["rows"][0]["name"]) for d in job.findings["duplicates"]) == sorted(
        (p["why"], p["names"][0]) for p in pairs
    )
    assert all(len(d["rows"]) == 2 for d in job.findings["duplicates"])
    # the only rows rejected are those whose ID number the office suite rounded, and they say so
    assert job.rejected == len(rounded) > 0
    assert all("office suite rounded it" in e["message"] for e in job.errors)
    assert all(e["column"] == "身份证号" for e in job.errors)
    assert job.created == len(residents) - len(rounded) - len(pairs)
    # the words no importer could know are listed, and nothing else
    asked = {p for meanings in TRUTH["meanings"].values() for p in meanings} | {"老党员", "空巢"}
    assert {w["phrase"] for w in job.findings["unknown"]} <= asked


def test_with_the_admins_decisions_the_register_holds_the_truth_and_a_second_import_changes_nothing(
    world, office_file, tmp_path
):
    path, residents, pairs = office_file
    job = previewed(world, path)
    keep_first = {d["key"]: 0 for d in job.findings["duplicates"]}

    imports.import_job_set_choices(
        actor=job.created_by, job=job, words=TRUTH["meanings"], keep=keep_first, without_rounded_ids=True
    )
    import_job_preview(job)
    job.refresh_from_db()
    assert (job.rejected, job.findings["duplicates"], job.findings["left_out"]) == (0, [], len(pairs))
    import_job_confirm(actor=job.created_by, job=job)
    import_job_commit(job)

    buildings = {person["room"].split("-")[0] for person in residents}
    stored = Resident.objects.filter(building__number__in=buildings).select_related("household__building")
    by_person = {(r.name, r.household.label): r for r in stored}
    assert len(stored) == len(by_person) == len(residents)
    for person in residents:
        resident = by_person[person["name"], person["room"]]
        assert resident.presence == person["presence"], person
        born = person["birth_date"] and datetime.date.fromisoformat(person["birth_date"])
        aged_80 = ["aged_80"] if born and is_80_plus(born, timezone.localdate()) else []
        assert sorted(resident.tags.values_list("tag", flat=True)) == sorted(person["tags"] + aged_80), person
        assert resident.id_number == (person["id_number"] or ""), person
        assert resident.phone == (person["phone"] or ""), person
    presence, tags = truth_counts(residents)
    assert stored.filter(presence=Presence.AWAY).count() == presence["away"] > 0
    assert stored.filter(tags__tag=Tag.ALONE).count() == tags["alone"] > 0

    again = previewed(world, shutil.copy(path, tmp_path / f"again{path.suffix}"))

    assert (again.created, again.changed) == (0, 0)
