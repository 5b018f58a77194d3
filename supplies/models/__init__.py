"""The supplies' tables, one module per concept; every model is importable from here."""

from .distributions import Distribution, Donation, Share, ShareEvent
from .group_buys import GroupBuy, GroupBuyDocument, GroupBuyEvent, GroupBuyOrder
from .parcels import BuildingDelivery, Destination, GateSettings, Parcel, ParcelEvent
from .waves import Wave, WaveEvent

__all__ = [
    "Distribution",
    "Donation",
    "Share",
    "ShareEvent",
    "GroupBuy",
    "GroupBuyDocument",
    "GroupBuyEvent",
    "GroupBuyOrder",
    "BuildingDelivery",
    "Destination",
    "GateSettings",
    "Parcel",
    "ParcelEvent",
    "Wave",
    "WaveEvent",
]
