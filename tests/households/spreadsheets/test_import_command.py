"""`manage.py import_register`: the Import page's pipeline from a script, its counts as JSON."""

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from households.models import ImportJob, Resident, Role

from .test_office_files import HERE, TRUTH


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args):
    out = io.StringIO()
    call_command("import_register", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_previews_then_with_confirm_writes_through_the_same_job(world, tmp_path):
    path = shutil.copy(HERE / "register.xlsx", tmp_path / "register.xlsx")
    staff = world.users[Role.COMMITTEE_STAFF].username
    before = Resident.objects.count()

    preview = run(str(path), "--community", world.community.name, "--user", staff)

    assert Resident.objects.count() == before
    assert preview["status"] == "preview"
    assert preview["compound"] == TRUTH["compound"]
    assert preview["duplicates"] == len(TRUTH["duplicates"])
    assert preview["rejected"] == sum(preview["rejected_by_reason"].values()) > 0
    assert {w["phrase"] for w in preview["words_not_understood"]} >= {"常住外地", "痛风"}
    done = run(str(path), "--community", world.community.name, "--user", staff, "--confirm")
    assert done["status"] == "done"
    assert done["new"] == preview["new"] == Resident.objects.count() - before
    assert ImportJob.objects.filter(file_name="register.xlsx").count() == 2


def test_the_command_refuses_an_account_that_may_not_import_and_a_community_it_does_not_know(world, tmp_path):
    path = shutil.copy(HERE / "register.xlsx", tmp_path / "register.xlsx")

    with pytest.raises(CommandError, match="may not import"):
        run(str(path), "--community", world.community.name, "--user", world.users[Role.VOLUNTEER].username)
    with pytest.raises(CommandError, match="no community named"):
        run(str(path), "--community", "无此居民区", "--user", world.users[Role.COMMITTEE_STAFF].username)

    assert not ImportJob.objects.exists()


def test_a_compound_the_community_does_not_have_is_refused_unless_asked_for_as_new(world, tmp_path):
    path = shutil.copy(HERE / "register.xlsx", tmp_path / "register.xlsx")
    staff = world.users[Role.COMMITTEE_STAFF].username

    with pytest.raises(CommandError, match="no compound named 金杨新邨"):
        run(str(path), "--community", world.community.name, "--user", staff, "--compound", "金杨新邨")
    new = run(str(path), "--community", world.community.name, "--user", staff, "--new-compound", "阳光花园")

    assert new["compound"] == "阳光花园"
    assert ImportJob.objects.count() == 1
