"""The register's tables, one module per concept; every model is importable from here."""

from .access import Role, RoleAssignment
from .areas import (
    Building,
    Community,
    Compound,
    ControlLevel,
    ControlLevelChange,
    Street,
    Zone,
    building_label,
    compound_shown,
    room_label,
)
from .campaigns import Campaign, Message, Recipient, RecipientOutcomeEvent, SmsTemplate
from .history import AuditEvent, Change
from .jobs import ExportJob, ImportJob, ImportMapping
from .register import DocumentType, Household, Presence, Relation, Resident, ResidentQuerySet, ResidentTag, Sex, Tag

__all__ = [
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
