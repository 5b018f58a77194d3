"""The register: areas, households, residents and their tags, control levels, roles and history."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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

    class Meta:
        verbose_name = _("building")
        ordering = ["sort_key", "number"]
        constraints = [models.UniqueConstraint(fields=["compound", "number"], name="building_unique_number")]

    def __str__(self):
        return building_label(self.number)


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

    class Meta:
        verbose_name = _("household")
        ordering = ["building_id", "unit", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_room")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return room_label(self.building.number, self.unit, self.room)


def room_label(building_number, unit, room, compound=""):
    """The room as people write it: 12-3-501, or 12-501 without a unit; with its compound first,
    金杨一村 12-3-501, when `compound` is given: the name compound_shown() reads, where the
    community has more than one compound. Every page and export that writes a room uses this."""
    label = "-".join(part for part in (building_number, unit, room) if part)
    return f"{compound} {label}" if compound else label


def building_label(number, compound=""):
    """A building as the pages name it (12号楼), with its compound first as in room_label."""
    label = str(_("Building %(number)s") % {"number": number})
    return f"{compound} {label}" if compound else label


def compound_shown(compound="building__compound"):
    """An annotation for room_label and building_label: the name of the compound at the lookup
    `compound` where its community has more than one compound, else "". A subquery in the same
    statement, so that a list learns it with its rows rather than with a query per row."""
    others = Compound.objects.filter(community_id=OuterRef(f"{compound}__community_id")).exclude(
        pk=OuterRef(f"{compound}_id")
    )
    return Case(When(Exists(others), then=F(f"{compound}__name")), default=Value(""), output_field=models.CharField())


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class DocumentType(models.TextChoices):
    MAINLAND_ID = "id", _("Mainland ID card")
    HK_MACAO = "hkmo", _("Hong Kong/Macao permit")
    TAIWAN = "tw", _("Taiwan permit")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Presence(models.TextChoices):
    HOME = "home", _("At home")
    AWAY = "away", _("Away")
    QUARANTINE = "quarantine", _("In quarantine")
    HOSPITAL = "hospital", _("In hospital")
    MOVED_OUT = "moved_out", _("Moved out")


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


class Tag(models.TextChoices):
    AGED_80 = "aged_80", _("Aged 80+")
    ALONE = "alone", _("Elderly living alone")
    CHRONIC = "chronic", _("Chronic illness")
    PREGNANT = "pregnant", _("Pregnant")
    INFANT = "infant", _("Infant")
    DISABLED = "disabled", _("Disabled or bedridden")
    DOOR_SERVICE = "door_service", _("Needs door-to-door service")
    HARDSHIP = "hardship", _("Hardship household")


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


class Role(models.TextChoices):
    STREET_ADMIN = "street_admin", _("Street admin")
    COMMITTEE_STAFF = "committee_staff", _("Committee staff")
    ZONE_LEADER = "zone_leader", _("Zone leader")
    BUILDING_LEADER = "building_leader", _("Building leader")
    VOLUNTEER = "volunteer", _("Volunteer")


class RoleAssignment(models.Model):
    """One role over one area; an account may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    street = models.ForeignKey(Street, models.CASCADE, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Community, models.CASCADE, null=True, blank=True, related_name="+")
    zone = models.ForeignKey(Zone, models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="street_admin", street__isnull=False, community=None, zone=None, building=None)
                    | Q(role="committee_staff", community__isnull=False, street=None, zone=None, building=None)
                    | Q(role="zone_leader", zone__isnull=False, street=None, community=None, building=None)
                    | Q(
                        role__in=["building_leader", "volunteer"],
                        building__isnull=False,
                        street=None,
                        community=None,
                        zone=None,
                    )
                ),
                name="role_assignment_matches_area",
            )
        ]

    def __str__(self):
        return f"{self.user} {self.get_role_display()}"


class Change(models.Model):
    """One entry of a household's history: who changed what, and when.

    Sensitive values (ID and phone numbers) are stored masked: history is read by more people than
    may see the numbers.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        MOVED_IN = "moved_in", _("Moved in")
        MOVED_OUT = "moved_out", _("Moved away")
        PRESENCE = "presence", _("Presence changed")

    community = models.ForeignKey(Community, models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, models.CASCADE, related_name="changes")
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    changes = models.JSONField(default=dict)
    import_job = models.ForeignKey("ImportJob", models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The version of the resident (or, for a change of the household itself, of the household) that
    # this change made: what changed since a form read version n is the changes of versions above n.
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "-at"], name="change_household_at")]


class AuditEvent(models.Model):
    """A deliberate look at protected data (an ID or phone number revealed, an export), or an ID
    number typed or imported that is another community's resident's (households.id_conflicts)."""

    class Action(models.TextChoices):
        REVEAL_ID = "reveal_id", _("Revealed ID number")
        REVEAL_PHONE = "reveal_phone", _("Revealed mobile number")
        EXPORT = "export", _("Export")
        ID_CONFLICT = "id_conflict", _("ID number of another register")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    resident = models.ForeignKey(Resident, models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class ImportJob(models.Model):
    """One spreadsheet brought to the register: read and previewed first, then confirmed or cancelled."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Reading")
        NEEDS_MAPPING = "needs_mapping", _("Columns to choose")
        PREVIEW = "preview", _("Ready to confirm")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    community = models.ForeignKey(Community, models.PROTECT, related_name="import_jobs", verbose_name=_("community"))
    # Where rows land that name no compound: an existing compound, or a new one named here, or else
    # the compound the file's title names, or else one named after the community.
    compound = models.ForeignKey(
        Compound, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    compound_name = models.CharField(_("new compound"), max_length=50, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the job's task (queued, claimed, progress): a lost job is failed after a while.
    progress_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=10, default="zh-hans")
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # The admin's choices: the field of each column (header key → field, "" for not read), the meaning
    # of each word not understood (field → {phrase: value}), which row to keep of the same person
    # twice (duplicate key → row index), and whether rows whose ID number a spreadsheet rounded go in
    # without it.
    columns = models.JSONField(default=dict, blank=True)
    words = models.JSONField(default=dict, blank=True)
    keep = models.JSONField(default=dict, blank=True)
    without_rounded_ids = models.BooleanField(default=False)
    # What the reading found: sheets, columns, mapping problems; then the preview.
    sheets = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    lines_total = models.PositiveIntegerField(default=0)
    lines_read = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    new_areas = models.JSONField(default=dict, blank=True)  # {"compounds": [...], "buildings": [...], "households": n}
    changes = models.JSONField(default=list, blank=True)  # changed residents, field by field (masked)
    errors = models.JSONField(default=list, blank=True)  # rejected rows: sheet, line, column, message
    # What else the reading found: words not understood ("unknown": field, phrase, rows), cells kept in
    # the notes ("kept"), the same person on several rows ("duplicates"), and counts ("left_out",
    # "rounded_ids", "without_id").
    findings = models.JSONField(default=dict, blank=True)
    plan_digest = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)  # why it failed, or what the last step said

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.READING, self.Status.COMMITTING)


class ImportMapping(models.Model):
    """The column choices an admin made, remembered for the next import of the community."""

    community = models.OneToOneField(Community, models.CASCADE, related_name="import_mapping")
    columns = models.JSONField(default=dict)  # header key → field ("" for not read)
    words = models.JSONField(default=dict)  # field → {phrase: meaning}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class ExportJob(models.Model):
    """One table written in the background for the person who asked; theirs alone to download, for a day."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    kind = models.CharField(max_length=20)  # a key of households.exports.KINDS
    fmt = models.CharField(max_length=4)
    # A one-building export goes with its building: it must never become an export of every area.
    building = models.ForeignKey(Building, models.CASCADE, null=True, blank=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The account's roles and areas when the file was written (AreaScope.fingerprint): if they change,
    # the file may hold what the account may no longer see, and it is not handed out.
    scope_fingerprint = models.CharField(max_length=32, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200)  # the name it downloads under
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name

    @property
    def is_running(self):
        return self.status in (self.Status.QUEUED, self.Status.WRITING)


# Campaign models live in their own module; importing them here registers them with the app.
from .campaign_models import Campaign, Message, Recipient, SmsTemplate  # noqa: E402, F401
