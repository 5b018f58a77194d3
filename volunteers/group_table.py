"""The volunteer group table (志愿者分组表, the third of the 三表) and the coverage of buildings:
read in a fixed number of queries however many volunteers and buildings there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from households.models import AuditEvent, Building, Role, RoleAssignment, building_label, compound_shown
from lockdown.core.spreadsheets import Column, SheetSpec

from .choices import Skill, Source, labels
from .models import BuildingPair, Group, Membership, Volunteer


def building_labels_by_account(community) -> dict[int, list[str]]:
    """{account id: the labels of the buildings its volunteer role covers}, for a community."""
    rows = (
        RoleAssignment.objects.filter(role=Role.VOLUNTEER, building__community=community)
        .annotate(compound_name=compound_shown("building__compound"))
        .order_by("building__sort_key", "building__number")
        .values_list("user_id", "building__number", "compound_name")
    )
    labels = defaultdict(list)
    for user_id, number, compound in rows:
        labels[user_id].append(building_label(number, compound))
    return labels


@dataclass
class GroupRow:
    group: Group
    members: list  # Memberships, leaders first, each with .buildings


def group_table(community) -> list[GroupRow]:
    """Each group with its members (leaders first) and the buildings each covers."""
    memberships = Membership.objects.select_related("volunteer").order_by("-leader", "volunteer__name", "id")
    groups = Group.objects.filter(community=community).prefetch_related(Prefetch("memberships", queryset=memberships))
    buildings = building_labels_by_account(community)
    rows = []
    for group in groups:
        members = list(group.memberships.all())
        for membership in members:
            membership.buildings = buildings.get(membership.volunteer.user_id, [])
        rows.append(GroupRow(group, members))
    return rows


def ungrouped(community):
    """Approved volunteers in no group yet: the table lists them last, to be placed."""
    return Volunteer.objects.filter(community=community, status=Volunteer.Status.APPROVED, memberships=None)


@dataclass
class BuildingCover:
    building: Building
    label: str
    volunteers: list = field(default_factory=list)  # Volunteers covering it
    leaders: list = field(default_factory=list)  # accounts leading it
    pairs: list = field(default_factory=list)  # BuildingPairs

    @property
    def uncovered(self) -> bool:
        return not self.volunteers


def coverage(community) -> list[BuildingCover]:
    """Every building of the community, compound by compound, with who covers it, its leaders and
    its pairs."""
    buildings = Building.objects.filter(community=community).annotate(compound_name=compound_shown("compound"))
    buildings = buildings.order_by("compound__name", "sort_key", "number")  # each compound's together
    rows = {b.pk: BuildingCover(b, building_label(b.number, b.compound_name)) for b in buildings}
    volunteers = {v.user_id: v for v in Volunteer.objects.filter(community=community, user__isnull=False)}
    assignments = RoleAssignment.objects.filter(
        building__community=community, role__in=[Role.VOLUNTEER, Role.BUILDING_LEADER]
    ).select_related("user")
    for assignment in assignments.order_by("user__display_name", "user__username"):
        row = rows[assignment.building_id]
        if assignment.role == Role.BUILDING_LEADER:
            row.leaders.append(assignment.user)
        elif assignment.user_id in volunteers:
            row.volunteers.append(volunteers[assignment.user_id])
    pairs = BuildingPair.objects.filter(building__community=community).select_related("leader", "volunteer")
    for pair in pairs.order_by("id"):
        rows[pair.building_id].pairs.append(pair)
    return list(rows.values())


def columns():
    return [
        Column(_("group"), 16),
        Column(_("group leader"), 8),
        Column(_("name"), 10),
        Column(_("age"), 6),
        Column(_("comes as"), 12),
        Column(_("mobile number"), 14),
        Column(_("skills"), 22),
        Column(_("buildings covered"), 24),
    ]


def table_sheet(community, rows: list[GroupRow], read_mobile) -> SheetSpec:
    """The table as one printable sheet; `read_mobile` gives each mobile number as the reader may see it."""

    def lines():
        for row in rows:
            for membership in row.members:
                volunteer = membership.volunteer
                yield [
                    row.group.name,
                    _("yes") if membership.leader else "",
                    volunteer.name,
                    volunteer.age,
                    str(Source(volunteer.source).label),
                    read_mobile(volunteer.mobile),
                    labels(Skill, volunteer.skills),
                    "、".join(membership.buildings),
                ]

    title = _("%(community)s volunteer group table") % {"community": community.name}
    return SheetSpec(name=_("Volunteer groups"), columns=columns(), rows=lines(), titles=(title,), for_print=True)


def table_taken(*, actor, community, fmt, ip_address=None) -> None:
    """The printed sheet and the .xlsx carry the mobile numbers in full: who took them, and from
    where, is kept as the register's exports are."""
    AuditEvent.objects.create(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        detail={"kind": "volunteer_groups", "format": fmt, "community": community.pk},
        ip_address=ip_address,
    )
