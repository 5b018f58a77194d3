"""Volunteers, the groups they work in, the buildings they cover and the building pairs.

Who covers a building is the volunteer's account's role over it (households.RoleAssignment, role
volunteer): the one fact that also decides what the volunteer sees, kept in one place.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from households.models import AreaPath, Building, Community, Compound, Resident
from volunteers.choices import Source


class Volunteer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", verbose_name=_("compound"))
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11)
    age = models.PositiveSmallIntegerField(_("age"))
    source = models.CharField(_("comes as"), max_length=12, choices=Source.choices, default=Source.RESIDENT)
    organisation = models.CharField(_("office or party branch"), max_length=100, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)  # Skill values
    availability = models.JSONField(_("free"), default=list, blank=True)  # DayPart values
    # A resident's own building and room, and their line of the register when it was found there.
    building = models.ForeignKey(
        Building, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    room = models.CharField(_("room"), max_length=20, blank=True)
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The account approval gave: a volunteer logs in on the phone with a code sent to `mobile`.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    registrations = models.PositiveSmallIntegerField(default=1)  # a second form by the same mobile updates this row
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    area_path = AreaPath(community="community")  # the committee's record: its staff and street see it

    class Meta:
        verbose_name = _("volunteer")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "mobile"], name="volunteer_unique_mobile"),
            models.CheckConstraint(condition=models.Q(age__gte=14, age__lte=100), name="volunteer_age_range"),
        ]
        indexes = [models.Index(fields=["community", "status"], name="volunteer_community_status")]

    def __str__(self):
        return self.name


class Group(models.Model):
    """A group of work (PCR testing, supply delivery, stairwell control …): its limits apply to
    every shift of it, since the committees set age limits per kind of work, not per person."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", verbose_name=_("community"))
    name = models.CharField(_("group"), max_length=50)
    min_age = models.PositiveSmallIntegerField(_("youngest"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest"), null=True, blank=True)
    skills = models.JSONField(_("skills needed"), default=list, blank=True)  # Skill values, all of them
    members = models.ManyToManyField(Volunteer, through="Membership", related_name="groups")

    area_path = AreaPath(community="community")

    class Meta:
        verbose_name = _("volunteer group")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="volunteer_group_unique_name")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    group = models.ForeignKey(Group, models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="memberships")
    leader = models.BooleanField(_("group leader"), default=False)

    area_path = AreaPath(community="group__community")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "volunteer"], name="membership_unique")]


class BuildingPair(models.Model):
    """老带新: a building's leader and a young volunteer of the same building, working it together."""

    building = models.ForeignKey(Building, models.CASCADE, related_name="+", verbose_name=_("building"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("building leader")
    )
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="pairs", verbose_name=_("volunteer"))

    area_path = AreaPath(building="building")

    class Meta:
        verbose_name = _("building pair")
        constraints = [
            models.UniqueConstraint(fields=["building", "volunteer"], name="building_pair_one_per_volunteer")
        ]


class CompoundSettings(models.Model):
    """A compound's volunteering: the registration link on its poster, and the evening's sign-up
    cut-off for tomorrow's shifts."""

    compound = models.OneToOneField(Compound, models.CASCADE, related_name="+")
    join_token = models.CharField(max_length=24, unique=True)  # the poster's link: /join/<token>/
    joining_open = models.BooleanField(_("registration open"), default=True)
    signup_closes_at = models.TimeField(_("sign-up closes at"), default="20:00")

    area_path = AreaPath(community="compound__community")

    class Meta:
        verbose_name = _("compound's volunteering")
