"""The rules every parcel page and service shares: which parcels go first, and whether a parcel goes
to the door or to its building's shelf.

Priority, in every sorting view and on every volunteer's list: medicine first, then cold-chain
goods, then households on the care list (爱心点名: a resident aged 80 or more, living alone,
disabled or bedridden, or needing door-to-door service), then the rest.

Destination: a building under a sealed control level (封控区), or none recorded, has every parcel
carried to its doors; a controlled or precaution building (管控区, 防范区) has its parcels put on
its shelf, residents collecting them themselves; staff may choose either for a building. Priority
parcels go to the door whatever the building: medicine and cold chain cannot wait on a shelf, and
the care list cannot come down for them (the green channel).
"""

from django.db.models import Exists, OuterRef, Q

from households.models import ControlLevel, Presence, ResidentTag, Tag

from .models import Destination

CARE_TAGS = (Tag.AGED_80, Tag.ALONE, Tag.DISABLED, Tag.DOOR_SERVICE)
SHELF_LEVELS = (ControlLevel.CONTROLLED, ControlLevel.PRECAUTION)


class Priority:
    MEDICINE, COLD_CHAIN, CARE, OTHER = range(4)


def on_care_list():
    """Whether a parcel's household has a current resident on the care list: the building's tags
    found by their index (building, tag), then their residents."""
    tags = ResidentTag.objects.filter(building_id=OuterRef("building_id"), tag__in=CARE_TAGS)
    tags = tags.filter(resident__household_id=OuterRef("household_id"))
    return Exists(tags.exclude(resident__presence=Presence.MOVED_OUT))


def care_mark(parcels) -> None:
    """Each of `parcels` (a queryset) marked whether its household is on the care list now."""
    parcels.update(care=on_care_list())


# The order of Priority in SQL, for the selectors that read the sorting view's rows through a
# cursor; `parcel` is the alias of the parcels' table there. `care` is as care_mark last read it
# (as the parcel went in its wave).
PRIORITY_SQL = (
    f"CASE WHEN parcel.medicine THEN {Priority.MEDICINE} WHEN parcel.cold_chain THEN {Priority.COLD_CHAIN} "
    f"WHEN parcel.care THEN {Priority.CARE} ELSE {Priority.OTHER} END"
)


def building_destination(chosen: str, building_level: str, compound_level: str) -> str:
    """Where a building's parcels go: staff's choice (`chosen`), else by its control level, or by
    its compound's where it has none of its own."""
    if chosen:
        return chosen
    level = building_level or compound_level
    return Destination.SHELF if level in SHELF_LEVELS else Destination.DOOR


def first_to_door():
    """The parcels that go first, and to the door even from a shelf building: a Q over parcels."""
    return Q(medicine=True) | Q(cold_chain=True) | Q(care=True)
