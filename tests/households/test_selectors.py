import pytest

from households import selectors
from households.models import Building, Presence, Role, Tag
from households.scoping import AreaScope

from .factories import ResidentFactory, ResidentTagFactory

pytestmark = pytest.mark.django_db


def staff_scope(world):
    return AreaScope.for_user(world.users[Role.COMMITTEE_STAFF])


def test_overview_counts_leave_out_moved_out_residents_and_their_tags(world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    gone = ResidentFactory(household=world.household, presence=Presence.MOVED_OUT)
    ResidentTagFactory(resident=gone, tag=Tag.ALONE)
    ResidentFactory(household=world.household, presence=Presence.AWAY)

    groups, total = selectors.area_overview(
        staff_scope(world), buildings=Building.objects.filter(community=world.community)
    )

    assert (total.households, total.residents, total.away, total.tags) == (2, 3, 1, {Tag.ALONE: 1})
    assert [row.counts.residents for group in groups for zone in group.zones for row in zone.rows] == [2, 1]


def test_key_population_lists_current_tagged_residents_filtered_by_tag_and_building(world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE)
    ResidentTagFactory(resident=world.other_resident, tag=Tag.CHRONIC)
    ResidentTagFactory(resident=ResidentFactory(household=world.household, presence=Presence.MOVED_OUT))
    scope = staff_scope(world)

    def names(**filters):
        return [row.name for row in selectors.table_rows(scope, selectors.key_population(scope, **filters))]

    assert names() == ["张三", "李四"]
    assert names(tag=Tag.CHRONIC) == ["李四"]
    assert names(building_id=world.building.pk) == ["张三"]
    assert names(zone_id=world.other_zone.pk) == ["李四"]


def test_building_households_lists_every_room_with_its_current_residents_and_tags(world):
    ResidentTagFactory(resident=world.resident, tag=Tag.ALONE, note="女儿住浦东")
    ResidentFactory(household=world.household, name="钱五", presence=Presence.MOVED_OUT)
    empty = world.household.building.households.create(community=world.community, unit="3", room="502")

    households = selectors.building_households(staff_scope(world), building=world.building)

    assert [(h.id, h.unit, h.room) for h in households] == [
        (world.household.pk, "3", "501"),
        (empty.pk, "3", "502"),
    ]
    (person,) = households[0].people
    assert (person.name, person.presence_label) == ("张三", "At home")
    assert [(t.tag, t.note, t.label) for t in person.tag_list] == [(Tag.ALONE, "女儿住浦东", "Elderly living alone")]
    assert households[1].people == []
