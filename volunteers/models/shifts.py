"""Shifts: the templates a group works by, tomorrow's roster stamped out of them, and each
volunteer's place on a shift (holding it, or waiting for one), with the morning's check-in."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.models import AreaPath, Community, Compound

from .people import Group, Volunteer


class ShiftTemplate(models.Model):
    """A shift a group works every day (delivery 07:00-11:00, say): tomorrow's roster copies it."""

    group = models.ForeignKey(Group, models.CASCADE, related_name="templates", verbose_name=_("group"))
    compound = models.ForeignKey(Compound, models.CASCADE, related_name="+", verbose_name=_("compound"))
    name = models.CharField(_("shift"), max_length=50)
    starts = models.TimeField(pgettext_lazy("shift time", "from"))
    ends = models.TimeField(pgettext_lazy("shift time", "until"))  # before `starts`: the shift ends the next morning
    places = models.PositiveSmallIntegerField(_("places"))
    meeting_point = models.CharField(_("meeting point"), max_length=100, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    area_path = AreaPath(community="compound__community")

    class Meta:
        verbose_name = _("shift template")
        ordering = ["starts", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="shift_template_places"),
            models.CheckConstraint(condition=~Q(starts=F("ends")), name="shift_template_times"),
        ]

    def __str__(self):
        return self.name


class Roster(models.Model):
    """One compound's shifts of one day. Staff close it (no more sign-ups) and publish it (each
    volunteer sees their shift)."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", verbose_name=_("compound"))
    date = models.DateField(_("date"))
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    area_path = AreaPath(community="community")

    class Meta:
        verbose_name = _("roster")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["compound", "date"], name="roster_one_per_day")]


class Shift(models.Model):
    roster = models.ForeignKey(Roster, models.CASCADE, related_name="shifts")
    group = models.ForeignKey(Group, models.PROTECT, related_name="shifts", verbose_name=_("group"))
    template = models.ForeignKey(ShiftTemplate, models.SET_NULL, null=True, blank=True, related_name="shifts")
    name = models.CharField(_("shift"), max_length=50)
    starts_at = models.DateTimeField(pgettext_lazy("shift time", "from"))
    ends_at = models.DateTimeField(pgettext_lazy("shift time", "until"))
    places = models.PositiveSmallIntegerField(_("places"))
    meeting_point = models.CharField(_("meeting point"), max_length=100, blank=True)
    # Copied from the group when stamped, so that a later change of the group's rules leaves the
    # shifts volunteers already hold as they were.
    min_age = models.PositiveSmallIntegerField(_("youngest"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest"), null=True, blank=True)
    skills = models.JSONField(_("skills needed"), default=list, blank=True)

    area_path = AreaPath(community="roster__community")

    class Meta:
        verbose_name = _("shift")
        ordering = ["starts_at", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roster", "template"], name="shift_one_per_template"),
            models.CheckConstraint(condition=Q(places__gte=1), name="shift_places"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_times"),
        ]

    def __str__(self):
        return self.name


class Signup(models.Model):
    """A volunteer on a shift: holding one of its places, or waiting in line (first come, first
    moved up), or cancelled (kept: who gave the place back, when)."""

    class State(models.TextChoices):
        HOLDING = "holding", _("Has a place")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="signups")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    signed_up_at = models.DateTimeField(auto_now_add=True)  # the waiting list's order
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The morning at the gathering point.
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    trained = models.BooleanField(_("trained today"), default=False)
    suit_issued = models.BooleanField(_("protective suit issued"), default=False)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)

    area_path = AreaPath(community="shift__roster__community")

    class Meta:
        verbose_name = _("sign-up")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"], condition=~Q(state="cancelled"), name="signup_once_per_shift"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="signup_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "state", "signed_up_at"], name="signup_shift_state"),
            models.Index(fields=["volunteer", "state"], name="signup_volunteer_state"),
        ]
