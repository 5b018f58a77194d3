"""Reads for the group-buy pages: the account's group buys, a group buy's orders and the totals per
building that the goods are unloaded by. A fixed number of queries however many orders."""

from django.db.models import Count, Q, Sum

from households.models import Building, Compound, room_label
from households.scoping import AreaScope

from .models import GroupBuy, GroupBuyOrder


def group_buys_of(user, *, state=""):
    """The group buys of the communities the account runs as staff; those it filed for buildings its
    areas still hold; those serving a building it leads or a building of a zone it leads, whose
    orders it collects."""
    scope = AreaScope.for_user(user)
    mine = Q()
    if not scope.is_global:
        served = GroupBuy.objects.filter(
            Q(filed_by=user, buildings__in=scope.filter(Building.objects.all()))
            | Q(buildings__in=sorted(scope.leader_building_ids))
            | Q(buildings__zone_id__in=sorted(scope.zone_ids))
        )
        mine = Q(pk__in=served.values("pk"))
        mine |= Q(community_id__in=sorted(scope.community_ids)) | Q(community__street_id__in=sorted(scope.street_ids))
    buys = (
        GroupBuy.objects.filter(mine)
        .select_related("compound")
        .annotate(households=Count("orders__household", distinct=True))
    )
    return buys.filter(state=state) if state else buys


def compounds_to_file_for(user):
    """The compounds whose buildings the account may file a group buy for."""
    return AreaScope.for_user(user).filter(Compound.objects.all()).order_by("name")


def order_totals(group_buy, scope) -> list[dict]:
    """Per building of the group buy in `scope`, per item: how many, for how many households; in
    building order."""
    rows = (
        scope.filter(GroupBuyOrder.objects.filter(group_buy=group_buy))
        .values("building_id", "building__number", "building__sort_key", "items")
        .annotate(quantity=Sum("quantity"), households=Count("household", distinct=True))
        .order_by("building__sort_key", "building__number", "items")
    )
    return list(rows)


def orders_of(group_buy, scope, limit=500) -> list:
    """The group buy's orders in `scope`, room by room, each with its `label`."""
    orders = scope.filter(GroupBuyOrder.objects.filter(group_buy=group_buy)).select_related("household__building")
    rows = list(orders.order_by("building__sort_key", "household__unit", "household__room", "items")[:limit])
    for order in rows:
        household = order.household
        order.label = room_label(household.building.number, household.unit, household.room)
    return rows
