"""`make demo` registers its volunteers through the compound's link and the staff's approval."""

import pytest
from django.core.management import call_command

from households.models import Role, RoleAssignment
from lockdown.models import User
from volunteers import groups
from volunteers.models import BuildingPair, Group, Volunteer, WelfareCheck

pytestmark = pytest.mark.django_db


def test_the_demo_has_volunteers_in_groups_that_take_them(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - output is not under test
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - twice adds nothing

    assert Volunteer.objects.filter(status=Volunteer.Status.APPROVED).count() == 29
    assert Volunteer.objects.filter(status=Volunteer.Status.PENDING).count() == 5
    demo = User.objects.get(username="volunteer")
    assert demo.volunteer.status == Volunteer.Status.APPROVED  # the README's `volunteer` is a volunteer
    assert RoleAssignment.objects.filter(user=demo, role=Role.VOLUNTEER).count() == 2
    for group in Group.objects.all():
        assert all(not groups.fits(group, membership.volunteer) for membership in group.memberships.all())
        assert group.memberships.filter(leader=True).count() == 1
    assert BuildingPair.objects.count() == 1
    assert WelfareCheck.objects.exists()
