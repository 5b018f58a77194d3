"""The volunteers' tables, one module per concept; every model is importable from here."""

from .messages import Notice
from .people import BuildingPair, CompoundSettings, Group, Membership, Volunteer
from .shifts import Roster, Shift, ShiftTemplate, Signup
from .task_list import Task, TaskEvent
from .welfare import WelfareCheck

__all__ = [
    "BuildingPair",
    "CompoundSettings",
    "Group",
    "Membership",
    "Notice",
    "Roster",
    "Shift",
    "ShiftTemplate",
    "Signup",
    "Task",
    "TaskEvent",
    "Volunteer",
    "WelfareCheck",
]
