"""Households, their residents and the residents' key-population tags. The choices of their fields
are in households/choices.py (imported from here too), the rules that derive values in
households/residents.py."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.choices import DocumentType, Presence, Relation, Sex, Tag
from households.residents import room_label

from .areas import AreaPath, Building, Community


class Household(models.Model):
    building = models.ForeignKey(Building, models.PROTECT, related_name="households", verbose_name=_("building"))
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=10)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more at each write of the row: an edit form carries the version it read (households.versions).
    # The table's default too, for the import's and the demo's rows inserted by plain INSERTs.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    # Its committee and street found by its own community column; its zone through the building.
    area_path = AreaPath(building="building", community="community")

    class Meta:
        verbose_name = _("household")
        ordering = ["building_id", "unit", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_room")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return room_label(self.building.number, self.unit, self.room)

    def label_seen_from(self, compound_id):
        """The room, with its compound's name first where that is not the compound `compound_id`
        (a gate's, the one a resident moved from): 金杨二村 12-3-501, or 12-3-501."""
        building = self.building
        elsewhere = building.compound.name if building.compound_id != compound_id else ""
        return room_label(building.number, self.unit, self.room, elsewhere)


class ResidentQuerySet(models.QuerySet):
    def current(self):
        """Residents still on the register: moved-out people stay for history only."""
        return self.exclude(presence=Presence.MOVED_OUT)


class Resident(models.Model):
    household = models.ForeignKey(Household, models.PROTECT, related_name="residents", verbose_name=_("household"))
    # Denormalised from the household (kept by the services) so that scoping and the per-building
    # counts read one indexed column of this table instead of joining households.
    # No index of their own: the (community, presence) and (building, presence) indexes lead with them.
    # Each index slows every write; an import of a street writes 100,000 rows.
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False, db_index=False)
    building = models.ForeignKey(Building, models.PROTECT, related_name="residents", editable=False, db_index=False)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    document_type = models.CharField(
        _("document type"), max_length=10, choices=DocumentType.choices, default=DocumentType.MAINLAND_ID
    )
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    id_last4 = models.CharField(max_length=4, blank=True, editable=False)  # indexed in Meta: exact match only
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices, blank=True)
    presence = models.CharField(_("presence"), max_length=12, choices=Presence.choices, default=Presence.HOME)
    party_member = models.BooleanField(_("party member"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)  # as the household's

    objects = ResidentQuerySet.as_manager()
    area_path = AreaPath(building="building", community="community")  # the copied columns: no join

    class Meta:
        verbose_name = _("resident")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "id_number"], condition=~Q(id_number=""), name="resident_unique_document"
            )
        ]
        indexes = [
            # Plain indexes: db_index=True would add a second one for LIKE, which a last-4 search never needs.
            models.Index(fields=["id_last4"], name="resident_id_last4"),
            models.Index(fields=["phone_last4"], name="resident_phone_last4"),
            models.Index(fields=["community", "presence"], name="resident_community_presence"),
            models.Index(fields=["building", "presence"], name="resident_building_presence"),
        ]

    def __str__(self):
        return self.name


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, models.CASCADE, related_name="tags")
    # Denormalised from the resident (kept by the services), like the resident's own: the overview's
    # counts and the key-population table find a community's or a building's tags by index.
    # No single-column indexes: the (community, tag) and (building, tag) indexes below lead with them.
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False, db_index=False)
    building = models.ForeignKey(Building, models.PROTECT, related_name="+", editable=False, db_index=False)
    tag = models.CharField(_("key population"), max_length=16, choices=Tag.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    condition = models.CharField(_("condition"), max_length=100, blank=True)
    medicine = models.CharField(_("regular medicine"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    area_path = AreaPath(building="building", community="community")  # the copied columns, as the resident's

    class Meta:
        verbose_name = _("key-population tag")
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")]
        indexes = [
            models.Index(fields=["tag", "resident"], name="resident_tag_by_tag"),
            models.Index(fields=["community", "tag"], name="resident_tag_community"),
            models.Index(fields=["building", "tag"], name="resident_tag_building"),
        ]

    def __str__(self):
        return self.get_tag_display()
