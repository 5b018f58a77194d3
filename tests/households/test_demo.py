"""`make demo` loads its community through the same spreadsheet import an admin uses."""

import datetime

from django.core.management import call_command

from households.demo import StreetPlan, build_street
from households.models import Building, Community, ImportJob, Resident, Role, RoleAssignment, Zone


def test_load_demo_imports_the_sample_spreadsheet_and_creates_the_accounts(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - output is not under test

    job = ImportJob.objects.get()
    assert (job.status, job.file_name, job.rejected) == (ImportJob.Status.DONE, "demo-register.xlsx", 1)
    assert Resident.objects.count() == job.created > 2800
    assert Building.objects.filter(zone=None).count() == 0
    assert Zone.objects.count() == 6
    assert sorted(RoleAssignment.objects.values_list("role", flat=True)) == sorted(Role.values)
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
