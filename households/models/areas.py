"""The areas of the register, street to building, with their control levels; and AreaPath, how a
model that holds residents' data says where it lies. How rooms and buildings are named is in
households/residents.py (room_label, building_label)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from households.residents import building_label


@dataclass(frozen=True)
class AreaPath:
    """How a model that holds residents' data reaches its area, declared on the model as
    `area_path`; area scoping (households.scoping.AreaScope) filters every model that declares one,
    whatever its app, and a system check refuses at start-up a path that leads nowhere.

        class Parcel(models.Model):
            building = models.ForeignKey(Building, ...)
            area_path = AreaPath(building="building")

    `building` is the lookup of the row's building (through foreign keys: "resident__building"),
    `community` of its community. Most models name their building: the building's leaders and
    volunteers, its zone's leader, its committee and street see the row. A model with a community
    but no building (a community's own record) is seen by its committee and street only. A model
    that keeps its community's id as well (denormalised, indexed) names both, and the committee
    and street are found by that column rather than through the building."""

    building: str = ""
    community: str = ""

    SELF = "self"  # the Building model's own path: it is the building

    @property
    def lookups(self) -> tuple:
        """The lookups from the model to its (street, community, zone, building) ids: None where
        the model does not reach that level."""
        building = {"": None, self.SELF: ""}.get(self.building, f"{self.building}__")
        community = self.community or (f"{building}community" if building is not None else "")
        return (
            f"{community}__street_id" if community else None,
            f"{community}_id" if community else None,
            None if building is None else f"{building}zone_id",
            None if building is None else (f"{self.building}_id" if building else "pk"),
        )


class ControlLevel(models.TextChoices):
    SEALED = "sealed", _("Sealed area")
    CONTROLLED = "controlled", _("Controlled area")
    PRECAUTION = "precaution", _("Precaution area")


class Street(models.Model):
    name = models.CharField(pgettext_lazy("area", "name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("street")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    street = models.ForeignKey(Street, models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(pgettext_lazy("area", "name"), max_length=50)
    phone = models.CharField(_("committee phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("community")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="community_unique_name")]

    def __str__(self):
        return self.name


class Compound(models.Model):
    community = models.ForeignKey(Community, models.PROTECT, related_name="compounds", verbose_name=_("community"))
    name = models.CharField(pgettext_lazy("area", "name"), max_length=50)
    control_level = models.CharField(_("control level"), max_length=12, choices=ControlLevel.choices, blank=True)

    class Meta:
        verbose_name = _("compound")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")]

    def __str__(self):
        return self.name


class Zone(models.Model):
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="zones", verbose_name=_("compound"))
    name = models.CharField(pgettext_lazy("area", "name"), max_length=50)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone leader"),
    )

    class Meta:
        verbose_name = _("zone")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="zone_unique_name")]

    def __str__(self):
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(Compound, models.PROTECT, related_name="buildings", verbose_name=_("compound"))
    # Denormalised from the compound so that scoping is one indexed column.
    community = models.ForeignKey(Community, models.PROTECT, related_name="buildings", editable=False)
    zone = models.ForeignKey(
        Zone, models.SET_NULL, null=True, blank=True, related_name="buildings", verbose_name=_("zone")
    )
    number = models.CharField(_("building number"), max_length=20)
    sort_key = models.IntegerField(default=0, editable=False)
    control_level = models.CharField(_("control level"), max_length=12, choices=ControlLevel.choices, blank=True)

    area_path = AreaPath(building=AreaPath.SELF)

    class Meta:
        verbose_name = _("building")
        ordering = ["sort_key", "number"]
        constraints = [models.UniqueConstraint(fields=["compound", "number"], name="building_unique_number")]

    def __str__(self):
        return building_label(self.number)


def compound_shown(compound="building__compound"):
    """An annotation for room_label and building_label: the name of the compound at the lookup
    `compound` where its community has more than one compound, else "". A subquery in the same
    statement, so that a list learns it with its rows rather than with a query per row."""
    others = Compound.objects.filter(community_id=OuterRef(f"{compound}__community_id")).exclude(
        pk=OuterRef(f"{compound}_id")
    )
    return Case(When(Exists(others), then=F(f"{compound}__name")), default=Value(""), output_field=models.CharField())


class ControlLevelChange(models.Model):
    """History of control levels; the current one is also kept on the compound or building."""

    compound = models.ForeignKey(Compound, models.CASCADE, null=True, blank=True, related_name="level_changes")
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="level_changes")
    level = models.CharField(max_length=12, choices=ControlLevel.choices, blank=True)
    previous = models.CharField(max_length=12, choices=ControlLevel.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(compound__isnull=False, building__isnull=True)
                | Q(compound__isnull=True, building__isnull=False),
                name="level_change_one_area",
            )
        ]
