"""The register's tables, one module per concept; every model is importable from here, and so are
the choices of their fields (households/choices.py) and the room and building labels
(households/residents.py), which import no ORM."""

from households.choices import DocumentType, Presence, Relation, Sex, Tag
from households.residents import building_label, room_label

from .access import Role, RoleAssignment
from .areas import (
    AreaPath,
    Building,
    Community,
    Compound,
    ControlLevel,
    ControlLevelChange,
    Street,
    Zone,
    compound_shown,
)
from .campaigns import Campaign, Message, Recipient, RecipientOutcomeEvent, SmsTemplate
from .history import AuditEvent, Change
from .jobs import ExportJob, ImportJob, ImportMapping
from .register import Household, Resident, ResidentQuerySet, ResidentTag

__all__ = [
    "AreaPath",
    "AuditEvent",
    "Building",
    "Campaign",
    "Change",
    "Community",
    "Compound",
    "ControlLevel",
    "ControlLevelChange",
    "DocumentType",
    "ExportJob",
    "Household",
    "ImportJob",
    "ImportMapping",
    "Message",
    "Presence",
    "Recipient",
    "RecipientOutcomeEvent",
    "Relation",
    "Resident",
    "ResidentQuerySet",
    "ResidentTag",
    "Role",
    "RoleAssignment",
    "Sex",
    "SmsTemplate",
    "Street",
    "Tag",
    "Zone",
    "building_label",
    "compound_shown",
    "room_label",
]
