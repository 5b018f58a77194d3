"""Area scoping: the one place that decides which areas an account sees and what it may do there.

Every page and API endpoint gets its querysets through `AreaScope.filter`, so an object outside
the account's areas is simply not found (404) and never listed.
"""

import hashlib
from dataclasses import dataclass, field

from django.db.models import Q

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

    def permissions_by_building(self, buildings):
        """{building id: Permissions} for a Building queryset, in one query (for lists and exports)."""
        rows = buildings.values_list("id", "community_id", "community__street_id", "zone_id")
        return {row[0]: Permissions.for_role(self._role(*row)) for row in rows}


@dataclass(frozen=True)
class Permissions:
    """What a role may do with one household and its residents."""

    edit: bool = False
    mark_presence: bool = False
    see_details: bool = False  # notes, history, tag notes
    reveal_phone: bool = False
    reveal_id: bool = False

    @classmethod
    def for_role(cls, role):
        if role in EDITORS:
            return cls(edit=True, mark_presence=True, see_details=True, reveal_phone=True, reveal_id=True)
        if role in LEADERS:
            return cls(mark_presence=True, see_details=True, reveal_phone=True)
        return cls()


def scope_of(request):
    """The request's scope, computed once per request."""
    if not hasattr(request, "_area_scope"):
        request._area_scope = AreaScope.for_user(request.user)
    return request._area_scope
