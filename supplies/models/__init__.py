"""The supplies' tables, one module per concept; every model is importable from here."""

from .group_buys import GroupBuy, GroupBuyDocument, GroupBuyEvent, GroupBuyOrder
from .parcels import BuildingDelivery, Destination, GateSettings, Parcel, ParcelEvent
from .waves import Wave, WaveEvent

__all__ = [
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
