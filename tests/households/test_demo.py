"""`make demo` loads its community through the same spreadsheet import an admin uses."""

from django.core.management import call_command

from households.models import Building, ImportJob, Resident, Role, RoleAssignment, Zone


def test_load_demo_imports_the_sample_spreadsheet_and_creates_the_accounts(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - output is not under test

    job = ImportJob.objects.get()
    assert (job.status, job.file_name, job.rejected) == (ImportJob.Status.DONE, "demo-register.xlsx", 2)
    assert Resident.objects.count() == job.created > 2800
    assert Building.objects.filter(zone=None).count() == 0
    assert Zone.objects.count() == 6
    assert sorted(RoleAssignment.objects.values_list("role", flat=True)) == sorted(Role.values)
    assert {e["column"] for e in job.errors} == {"身份证号", "联系电话"}
