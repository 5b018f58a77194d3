"""Parcels: each one received at a compound's gate for a household, disinfected, held, sorted into a
wave and carried to the door or to the building's shelf; every move a ParcelEvent. How each
building takes its parcels (door or shelf, its place on the route) and each gate's hold time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import AreaPath, Building, Community, Compound, Household
from lockdown.core.transitions import TransitionEvent

from .group_buys import GroupBuy
from .waves import Wave


class Destination(models.TextChoices):
    DOOR = "door", _("To the door")
    SHELF = "shelf", _("To the building's shelf")


class Parcel(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received at the gate")
        DISINFECTED = "disinfected", _("Disinfected, on hold")
        READY = "ready", _("Ready to go")
        OUT = "out", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        ON_SHELF = "on_shelf", _("On the building's shelf")
        RETURNED = "returned", _("Back at the gate")

    # Denormalised from the household (kept by the services): the gate counts a compound's parcels,
    # and scoping finds a community's, by one indexed column each.
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False, db_index=False)
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False)
    household = models.ForeignKey(Household, models.PROTECT, related_name="+", verbose_name=_("household"))
    medicine = models.BooleanField(_("medicine"), default=False)
    cold_chain = models.BooleanField(_("cold chain"), default=False)
    fragile = models.BooleanField(_("fragile"), default=False)
    # Its household on the care list (supplies.rules), read from the register as the parcel goes in
    # a wave and as the wave goes out: each sorting view then orders by columns, not by a subquery
    # of the residents' tags per parcel (a wave of 2,500 parcels' view took 24 ms of SQL that way).
    care = models.BooleanField(_("care list"), default=False)
    note = models.CharField(_("note"), max_length=100, blank=True)  # 顺丰 尾号1234, 鸡蛋已重新包装
    photo = models.FileField(_("photo"), upload_to="parcels/%Y/%m/%d/", blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    hold_until = models.DateTimeField(_("on hold until"), null=True, blank=True)
    wave = models.ForeignKey(Wave, models.SET_NULL, null=True, blank=True, related_name="parcels")
    destination = models.CharField(_("goes"), max_length=5, choices=Destination.choices, blank=True)
    carried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried by")
    )
    finished_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    return_reason = models.CharField(_("why it came back"), max_length=200, blank=True)
    group_buy = models.ForeignKey(GroupBuy, models.PROTECT, null=True, blank=True, related_name="parcels")

    area_path = AreaPath(building="building", community="community")

    class Meta:
        verbose_name = _("parcel")
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["compound", "state", "received_at"], name="parcel_compound_state"),
            models.Index(fields=["wave", "building"], name="parcel_wave_building"),
            models.Index(fields=["household", "received_at"], name="parcel_household"),
            models.Index(fields=["building", "state"], name="parcel_building_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""), name="parcel_returned_has_reason"
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.household}"


class ParcelEvent(TransitionEvent):
    """Each move of a parcel: received, disinfected, ready, out, delivered … who, when, why."""

    subject_field = "parcel"
    parcel = models.ForeignKey(Parcel, models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("parcel's step")
        indexes = [models.Index(fields=["parcel", "at"], name="parcel_event_parcel_at")]


class GateSettings(models.Model):
    """A compound's gate: how long parcels are held after disinfection before they go in a wave."""

    compound = models.OneToOneField(Compound, models.CASCADE, related_name="+")
    hold_minutes = models.PositiveIntegerField(_("hold after disinfection (minutes)"), default=120)

    area_path = AreaPath(community="compound__community")

    class Meta:
        verbose_name = _("compound's gate")


class BuildingDelivery(models.Model):
    """How one building takes its parcels: to each door or to its shelf (by its control level unless
    staff chose), where its shelf is, and its place on the compound's route."""

    building = models.OneToOneField(Building, models.CASCADE, related_name="+")
    destination = models.CharField(
        _("parcels go"), max_length=5, choices=Destination.choices, blank=True
    )  # "": as its control level says
    shelf_place = models.CharField(_("where the shelf is"), max_length=60, blank=True)
    route_position = models.PositiveIntegerField(_("place on the route"), null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    area_path = AreaPath(building="building")

    class Meta:
        verbose_name = _("building's deliveries")
