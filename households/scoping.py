"""Area scoping: the one place that decides which areas an account sees, what it may do there, and
which fields of a resident it reads.

Every page and API endpoint gets its querysets through `AreaScope.filter`, so an object outside
the account's areas is simply not found (404) and never listed; and every page, API endpoint and
export reads a resident's fields through `Permissions.read`, so a field the role may not read is
never shown, masked or not.
"""

import hashlib
from dataclasses import dataclass, field, replace

from django.db.models import Q

from lockdown.core.identity import mask_id_number, mask_phone

from .models import (
    Building,
    Community,
    Compound,
    Household,
    Recipient,
    Resident,
    ResidentTag,
    Role,
    RoleAssignment,
    Street,
    Zone,
)

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

# For each model, the lookups that reach (street, community, zone, building) from it.
_PATHS = {
    Building: ("community__street_id", "community_id", "zone_id", "id"),
    Household: ("community__street_id", "community_id", "building__zone_id", "building_id"),
    Resident: ("community__street_id", "community_id", "building__zone_id", "building_id"),
    ResidentTag: ("community__street_id", "community_id", "building__zone_id", "building_id"),
    Recipient: ("building__community__street_id", "building__community_id", "building__zone_id", "building_id"),
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
    def prefers_mobile(self):
        """Leaders and volunteers work on phones; anyone who also holds a desk role gets the desk."""
        return not self.is_empty and not (set(self.roles) & EDITORS)

    def reads(self, name):
        """Whether any role the account holds reads the field `name` of a resident: a list of
        residents from several roles' areas has its column (each row shows what its role reads)."""
        return any(Permissions.for_role(role).reads(name) for role in self.roles)

    def reading(self, name):
        """This scope without the areas of roles that may not read the field `name`: where a search
        by that field may look (nobody finds a resident by a number they may not read)."""
        if self.is_global:
            return self
        cleared = {_ROLE_AREAS[role]: frozenset() for role in ROLE_RANK if not Permissions.for_role(role).reads(name)}
        return replace(self, **cleared)

    def where(self, model):
        """The condition `filter` applies to a model with areas of its own (Resident, Household …)."""
        return Q() if self.is_global else self._q(model)

    def _q(self, model):
        street, community, zone, building = _PATHS[model]
        q = Q(pk__in=[])
        for lookup, ids in (
            (street, self.street_ids),
            (community, self.community_ids),
            (zone, self.zone_ids),
            (building, self.building_ids),
        ):
            if ids:
                q |= Q(**{f"{lookup}__in": sorted(ids)})
        return q

    def filter(self, queryset):
        """The part of `queryset` inside this scope."""
        if self.is_global:
            return queryset
        model = queryset.model
        if model in _CONTAINERS:
            visible = Building.objects.filter(self._q(Building)).values(_CONTAINERS[model])
            return queryset.filter(pk__in=visible)
        return queryset.filter(self._q(model))

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


# Which fields of a resident a role reads. Whoever sees a building reads its rooms and its residents'
# names, key-population tags and presence; these need more:
PERSONAL = frozenset({"sex", "birth_date", "age", "document_type", "id_number", "phone", "relation", "party_member"})
DETAILS = frozenset({"notes", "note", "condition", "medicine", "due_date"})  # the notes and the tags' details
# Read masked (`Permissions.read`), unless the role may reveal them and asks for them unmasked.
MASKS = {"id_number": (mask_id_number, "reveal_id"), "phone": (mask_phone, "reveal_phone")}
# What a field the role may not read reads as, where empty text would not do.
NOT_READ = {"birth_date": None, "age": None, "due_date": None, "party_member": None}


@dataclass(frozen=True)
class Permissions:
    """What a role may do with one household and its residents, and which of their fields it reads."""

    edit: bool = False
    mark_presence: bool = False
    see_personal: bool = False  # sex, birth date, relation, party membership, ID and mobile numbers (masked)
    see_details: bool = False  # notes, history, tags' notes, illnesses, medicine and due dates
    reveal_phone: bool = False
    reveal_id: bool = False

    @classmethod
    def for_role(cls, role):
        return _PERMISSIONS.get(role, _NONE)

    def reads(self, name) -> bool:
        """Whether the role reads the field `name` of a resident (or of their tags)."""
        if name in PERSONAL:
            return self.see_personal
        if name in DETAILS:
            return self.see_details
        return True

    def read(self, name, value, *, unmasked=False):
        """The field `name`'s `value` as the role reads it: itself; masked if it is an ID or mobile
        number (in full only when `unmasked` is asked, as in an export, and the role may reveal it);
        or empty (None, or "" for text) if the role may not read it."""
        if not self.reads(name):
            return NOT_READ.get(name, "")
        if name not in MASKS:
            return value
        mask, reveal = MASKS[name]
        return value if unmasked and getattr(self, reveal) else mask(value)

    def readable(self, values: dict, *, unmasked=False) -> dict:
        """A resident's (or a tag's) fields by name, each as `read` gives it."""
        return {name: self.read(name, value, unmasked=unmasked) for name, value in values.items()}


_NONE = Permissions()
_PERMISSIONS = {
    **dict.fromkeys(
        EDITORS,
        Permissions(
            edit=True, mark_presence=True, see_personal=True, see_details=True, reveal_phone=True, reveal_id=True
        ),
    ),
    **dict.fromkeys(LEADERS, Permissions(mark_presence=True, see_personal=True, see_details=True, reveal_phone=True)),
    Role.VOLUNTEER: _NONE,  # rooms, names, tags and presence only
}


def scope_of(request):
    """The request's scope, computed once per request."""
    if not hasattr(request, "_area_scope"):
        request._area_scope = AreaScope.for_user(request.user)
    return request._area_scope
