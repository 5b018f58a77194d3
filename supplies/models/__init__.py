"""The supplies' tables, one module per concept; every model is importable from here."""

from .parcels import BuildingDelivery, Destination, GateSettings, Parcel, ParcelEvent
from .waves import Wave, WaveEvent

__all__ = ["BuildingDelivery", "Destination", "GateSettings", "Parcel", "ParcelEvent", "Wave", "WaveEvent"]
