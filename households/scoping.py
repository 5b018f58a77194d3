"""Area scoping: the one place that decides which areas an account sees, what it may do there, and
which fields of the register it reads.

Every page and API endpoint gets its querysets through `AreaScope.filter`, so an object outside
the account's areas is simply not found (404) and never listed; and every page, API endpoint and
export reads the fields of a resident, a tag, a household or a campaign's recipient through
`Permissions.read`, which follows the one table FIELDS: a field the role may not read is never
shown, masked or not.

Scoping knows no model by name beyond the areas: each model that holds residents' data declares
how it reaches its area (`area_path = AreaPath(building=...)`, households.models.AreaPath), in
whichever app it lives; a system check (check_area_paths) refuses a path that leads nowhere at
start-up, and a model that declares none is an error in development and finds nothing in
production (a 404, an empty list), never a 500. A part with fields of its own to read declares
their rules here from its AppConfig.ready (declare_fields).
"""

import enum
import hashlib
import logging
from dataclasses import dataclass, field, replace
from itertools import chain

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.db.models import Q

from lockdown.core.identity import mask_id_number, mask_phone

from .models import (
    AreaPath,
    Building,
    Community,
    Compound,
    Household,
    Resident,
    ResidentTag,
    Role,
    RoleAssignment,
    Street,
    Zone,
)

logger = logging.getLogger(__name__)

# Strongest first: where roles overlap on one household, the strongest one decides.
ROLE_RANK = [Role.STREET_ADMIN, Role.COMMITTEE_STAFF, Role.ZONE_LEADER, Role.BUILDING_LEADER, Role.VOLUNTEER]
EDITORS = {Role.STREET_ADMIN, Role.COMMITTEE_STAFF}
LEADERS = {Role.ZONE_LEADER, Role.BUILDING_LEADER}

# The fields of each role's areas, to leave out the areas of a role (AreaScope.reading).
_ROLE_AREAS = {
    Role.STREET_ADMIN: "street_ids",
    Role.COMMITTEE_STAFF: "community_ids",
    Role.ZONE_LEADER: "zone_ids",
    Role.BUILDING_LEADER: "leader_building_ids",
    Role.VOLUNTEER: "volunteer_building_ids",
}

# Areas above a building are visible when they contain a visible building.
_CONTAINERS = {Street: "community__street_id", Community: "community_id", Compound: "compound_id", Zone: "zone_id"}


@dataclass(frozen=True)
class AreaScope:
    street_ids: frozenset = field(default_factory=frozenset)
    community_ids: frozenset = field(default_factory=frozenset)
    zone_ids: frozenset = field(default_factory=frozenset)
    leader_building_ids: frozenset = field(default_factory=frozenset)
    volunteer_building_ids: frozenset = field(default_factory=frozenset)
    is_global: bool = False

    @classmethod
    def for_user(cls, user):
        if not user.is_authenticated:
            return cls()
        if user.is_superuser:
            return cls(is_global=True)
        sets = {role: set() for role in Role.values}
        rows = RoleAssignment.objects.filter(user=user).values_list(
            "role", "street_id", "community_id", "zone_id", "building_id"
        )
        for role, *area_ids in rows:
            sets[role].update(i for i in area_ids if i is not None)
        return cls(
            street_ids=frozenset(sets[Role.STREET_ADMIN]),
            community_ids=frozenset(sets[Role.COMMITTEE_STAFF]),
            zone_ids=frozenset(sets[Role.ZONE_LEADER]),
            leader_building_ids=frozenset(sets[Role.BUILDING_LEADER]),
            volunteer_building_ids=frozenset(sets[Role.VOLUNTEER]),
        )

    @property
    def building_ids(self):
        return self.leader_building_ids | self.volunteer_building_ids

    @property
    def roles(self):
        held = {
            Role.STREET_ADMIN: self.street_ids or self.is_global,
            Role.COMMITTEE_STAFF: self.community_ids,
            Role.ZONE_LEADER: self.zone_ids,
            Role.BUILDING_LEADER: self.leader_building_ids,
            Role.VOLUNTEER: self.volunteer_building_ids,
        }
        return [role for role in ROLE_RANK if held[role]]

    @property
    def is_empty(self):
        return not self.roles

    @property
    def fingerprint(self) -> str:
        """A short digest of the roles and areas: what was allowed when something was made for the account."""
        parts = [self.is_global] + [sorted(ids) for ids in (self.street_ids, self.community_ids, self.zone_ids)]
        parts += [sorted(self.leader_building_ids), sorted(self.volunteer_building_ids)]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @property
    def sees_id_conflicts(self):
        """Street admins sort out the ID numbers typed in one community that are another's (id_conflicts)."""
        return bool(self.is_global or self.street_ids)

    @property
    def prefers_mobile(self):
        """Leaders and volunteers work on phones; anyone who also holds a desk role gets the desk."""
        return not self.is_empty and not (set(self.roles) & EDITORS)

    def reads(self, name, of=Resident):
        """Whether any role the account holds reads the field `name` (of a resident, unless `of`
        says which model): a list of residents from several roles' areas has its column (each row
        shows what its role reads)."""
        return any(Permissions.for_role(role).reads(name, of) for role in self.roles)

    def reading(self, name, of=Resident):
        """This scope without the areas of roles that may not read the field `name`: where a search
        by that field may look (nobody finds a resident by a number they may not read)."""
        if self.is_global:
            return self
        cleared = {
            _ROLE_AREAS[role]: frozenset() for role in ROLE_RANK if not Permissions.for_role(role).reads(name, of)
        }
        return replace(self, **cleared)

    def where(self, model):
        """The condition `filter` applies to a model that declares its area path (Resident, Household …)."""
        if not _declares_area(model):
            return Q(pk__in=[])
        return Q() if self.is_global else self._q(model)

    def _q(self, model):
        q = Q(pk__in=[])
        areas = (self.street_ids, self.community_ids, self.zone_ids, self.building_ids)
        for lookup, ids in zip(model.area_path.lookups, areas, strict=True):
            if ids and lookup:  # a model that stops at the community has no zone or building lookup
                q |= Q(**{f"{lookup}__in": sorted(ids)})
        return q

    def filter(self, queryset):
        """The part of `queryset` inside this scope."""
        model = queryset.model
        if model in _CONTAINERS:
            if self.is_global:
                return queryset
            visible = Building.objects.filter(self._q(Building)).values(_CONTAINERS[model])
            return queryset.filter(pk__in=visible)
        if not _declares_area(model):
            return queryset.none()
        return queryset if self.is_global else queryset.filter(self._q(model))

    def editable_communities(self, queryset):
        """The communities of `queryset` whose register this account may change (and import into)."""
        if self.is_global:
            return queryset
        return queryset.filter(Q(pk__in=sorted(self.community_ids)) | Q(street_id__in=sorted(self.street_ids)))

    def may_edit_community(self, community):
        return self.is_global or community.pk in self.community_ids or community.street_id in self.street_ids

    def role_for(self, area):
        """The strongest role this account holds over a household or building (None outside)."""
        building = area.building if isinstance(area, Household) else area
        return self._role(building.id, building.community_id, building.community.street_id, building.zone_id)

    def _role(self, building_id, community_id, street_id, zone_id):
        if community_id in self.community_ids:
            return Role.COMMITTEE_STAFF
        if self.is_global or street_id in self.street_ids:
            return Role.STREET_ADMIN
        if zone_id in self.zone_ids:
            return Role.ZONE_LEADER
        if building_id in self.leader_building_ids:
            return Role.BUILDING_LEADER
        if building_id in self.volunteer_building_ids:
            return Role.VOLUNTEER
        return None

    def permissions_for(self, area):
        return Permissions.for_role(self.role_for(area))

    def permissions_of(self, building_id, community_id, street_id, zone_id):
        """The Permissions over a building given by its ids (read with a list's rows: no query)."""
        return Permissions.for_role(self._role(building_id, community_id, street_id, zone_id))

    def permissions_by_building(self, buildings):
        """{building id: Permissions} for a Building queryset, in one query (for lists and exports)."""
        rows = buildings.values_list("id", "community_id", "community__street_id", "zone_id")
        return {row[0]: Permissions.for_role(self._role(*row)) for row in rows}


def _declares_area(model) -> bool:
    """Whether `model` says how it reaches its area. One that does not is a mistake of the code:
    in development it stops the page with what to add; in production the model's rows are not
    found (404, an empty list) and the mistake is logged, never a 500 and never a row outside."""
    if isinstance(getattr(model, "area_path", None), AreaPath):
        return True
    message = (
        f"{model._meta.label} is filtered by area scope but declares no area path: add "
        '`area_path = AreaPath(building="<lookup of its building>")` to the model (or community="..." '
        "for a row that belongs to a community, not to a building), from households.models."
    )
    if settings.DEBUG:
        raise ImproperlyConfigured(message)
    logger.error(message)
    return False


def _follow(model, lookup):
    """The model that `lookup` (foreign keys joined by __) leads to from `model`, or why it leads nowhere."""
    for name in lookup.split("__"):
        try:
            step = model._meta.get_field(name)
        except FieldDoesNotExist:
            return f"{model._meta.label} has no field {name!r}"
        if not isinstance(step, models.ForeignKey):  # one row each: a path never multiplies rows
            return f"{model._meta.label}.{name} is not a foreign key"
        model = step.related_model
    return model


def area_path_errors(model) -> list[checks.Error]:
    """What is wrong with the area path `model` declares: each lookup it names must lead, through
    foreign keys, to a Building (building=) or a Community (community=). A model that declares none
    is not checked: nothing says it holds residents' data until AreaScope.filter is asked for it."""
    if not hasattr(model, "area_path"):
        return []
    path, label = model.area_path, model._meta.label
    hint = 'Declare area_path = AreaPath(building="<lookup of its building>") or AreaPath(community="...").'
    if not isinstance(path, AreaPath) or not (path.building or path.community):
        return [
            checks.Error(
                f"{label}.area_path names neither a building nor a community.",
                hint=hint,
                obj=model,
                id="households.E002",
            )
        ]
    errors = []
    for name, area in (("building", Building), ("community", Community)):
        lookup = getattr(path, name)
        if not lookup or (lookup == AreaPath.SELF and name == "building" and issubclass(model, Building)):
            continue
        reached = "only a building is its own" if lookup == AreaPath.SELF else _follow(model, lookup)
        if reached is not area:
            why = reached if isinstance(reached, str) else f"it leads to {reached._meta.label}"
            errors.append(
                checks.Error(
                    f"{label}.area_path: {name}={lookup!r} does not lead to {area._meta.label} ({why}).",
                    hint=hint,
                    obj=model,
                    id="households.E001",
                )
            )
    return errors


def check_area_paths(app_configs=None, **kwargs):
    """The system check: every model that declares an area path reaches its area."""
    candidates = apps.get_models() if app_configs is None else chain(*(c.get_models() for c in app_configs))
    return [error for model in candidates for error in area_path_errors(model)]


class Access(enum.Enum):
    """How a role reads one field."""

    NONE = "none"  # not at all: empty (None, or "" for text)
    MONTH = "month"  # a date's year and month only ("1961-07"): an age, not a birthday
    MASKED = "masked"  # a number masked, never in full
    REVEAL = "reveal"  # masked; in full on asking (audited) and in the role's exports
    FULL = "full"


def _rule(*, editors: Access, leaders: Access, volunteers: Access) -> dict:
    return {**dict.fromkeys(EDITORS, editors), **dict.fromkeys(LEADERS, leaders), Role.VOLUNTEER: volunteers}


A = Access
# Whoever sees a building reads its rooms, its residents' names, tags and presence and a campaign's
# progress there; volunteers read nothing more.
EVERYONE = _rule(editors=A.FULL, leaders=A.FULL, volunteers=A.FULL)
PERSONAL = _rule(editors=A.FULL, leaders=A.FULL, volunteers=A.NONE)  # sex, relation, party membership
DETAILS = _rule(editors=A.FULL, leaders=A.FULL, volunteers=A.NONE)  # notes, history, illnesses, medicine
BIRTH_DATE = _rule(editors=A.FULL, leaders=A.MONTH, volunteers=A.NONE)  # leaders need the age, not the day
ID_NUMBER = _rule(editors=A.REVEAL, leaders=A.MASKED, volunteers=A.NONE)
PHONE = _rule(editors=A.REVEAL, leaders=A.REVEAL, volunteers=A.NONE)  # leaders call their residents

# The one decision of which field of what each role reads: pages, API and exports all ask it
# (Permissions.read). A field missing here is read by nobody: asking for it is an error, so that a
# field added to a page, the API or an export is decided here first.
FIELDS = {
    Resident: {
        **dict.fromkeys(("id", "household", "name", "presence", "tags"), EVERYONE),
        **dict.fromkeys(("sex", "age", "document_type", "relation", "party_member"), PERSONAL),
        "birth_date": BIRTH_DATE,
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "notes": DETAILS,
    },
    ResidentTag: {"tag": EVERYONE, **dict.fromkeys(("note", "condition", "medicine", "due_date"), DETAILS)},
    Household: {
        **dict.fromkeys(("id", "building", "unit", "room", "label"), EVERYONE),
        "notes": DETAILS,
        "history": DETAILS,  # who changed what: it names the fields' old and new values
    },
    # The other parts' models join at start-up (declare_fields): a campaign's recipient …
}
_MODELS = {model._meta.model_name: model for model in FIELDS}  # templates name a model by its name
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "mobile": mask_phone}  # mobile: a volunteer's
# What a field the role may not read reads as, where empty text would not do.
NOT_READ = {"birth_date": None, "age": None, "due_date": None, "party_member": None, "expected_at": None}


def declare_fields(model, rules: dict):
    """Add a part's model to FIELDS: {field name: rule (EVERYONE, DETAILS …)}. Called once, from the
    part's AppConfig.ready, so that the register names no part's model and every reader still asks here."""
    FIELDS[model] = rules
    _MODELS[model._meta.model_name] = model


def field_access(role, name, of=Resident) -> Access:
    """How `role` reads the field `name` of the model `of` (a model, or its name in a template)."""
    table = FIELDS[_MODELS[of] if isinstance(of, str) else of]
    # A row of .values() names a foreign key by its column (household_id): the same field.
    rule = table.get(name) or table.get(name.removesuffix("_id"))
    if rule is None:
        raise LookupError(f"{name} of {of} is not declared in scoping.FIELDS")
    return rule.get(role, Access.NONE)


def _month(value):
    if value is None or isinstance(value, str):
        return value[:7] if value else None  # the API's ISO text
    return f"{value:%Y-%m}"


@dataclass(frozen=True)
class Permissions:
    """What a role may do with one household and its residents; which of their fields it reads is
    FIELDS's to say."""

    role: str | None = None
    edit: bool = False
    mark_presence: bool = False

    @classmethod
    def for_role(cls, role):
        return _PERMISSIONS.get(role, _NONE)

    def access(self, name, of=Resident) -> Access:
        return field_access(self.role, name, of)

    def reads(self, name, of=Resident) -> bool:
        """Whether the role reads the field `name` (of a resident, unless `of` says which model)."""
        return self.access(name, of) is not Access.NONE

    @property
    def reveal_phone(self) -> bool:
        return self.access("phone") is Access.REVEAL

    @property
    def reveal_id(self) -> bool:
        return self.access("id_number") is Access.REVEAL

    def read(self, name, value, *, of=Resident, unmasked=False):
        """The field `name`'s `value` as the role reads it: itself; its year and month; masked if it
        is an ID or mobile number (in full only when `unmasked` is asked, as in an export, and the
        role may reveal it); or empty (None, or "" for text) if the role may not read it."""
        access = self.access(name, of)
        if access is Access.NONE:
            return NOT_READ.get(name, "")
        if access is Access.MONTH:
            return _month(value)
        if access is Access.FULL or (access is Access.REVEAL and unmasked):
            return value
        return MASKS[name](value)

    def readable(self, values: dict, *, of=Resident, unmasked=False) -> dict:
        """A row's fields by name, each as `read` gives it."""
        return {name: self.read(name, value, of=of, unmasked=unmasked) for name, value in values.items()}


_NONE = Permissions()
_PERMISSIONS = {
    **{role: Permissions(role=role, edit=True, mark_presence=True) for role in EDITORS},
    **{role: Permissions(role=role, mark_presence=True) for role in LEADERS},
    Role.VOLUNTEER: Permissions(role=Role.VOLUNTEER),
}


def scope_of(request):
    """The request's scope, computed once per request."""
    if not hasattr(request, "_area_scope"):
        request._area_scope = AreaScope.for_user(request.user)
    return request._area_scope
