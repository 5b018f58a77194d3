"""The choices of a resident's fields and tags, importable without the register's models.

The spreadsheet reader and the words it understands (vocabulary.py, words.py) need them and touch
no database; the models use them as their fields' choices and re-export them (households.models).
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Sex(TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class DocumentType(TextChoices):
    MAINLAND_ID = "id", _("Mainland ID card")
    HK_MACAO = "hkmo", _("Hong Kong/Macao permit")
    TAIWAN = "tw", _("Taiwan permit")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Relation(TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Presence(TextChoices):
    HOME = "home", _("At home")
    AWAY = "away", _("Away")
    QUARANTINE = "quarantine", _("In quarantine")
    HOSPITAL = "hospital", _("In hospital")
    MOVED_OUT = "moved_out", _("Moved out")


class Tag(TextChoices):
    AGED_80 = "aged_80", _("Aged 80+")
    ALONE = "alone", _("Elderly living alone")
    CHRONIC = "chronic", _("Chronic illness")
    PREGNANT = "pregnant", _("Pregnant")
    INFANT = "infant", _("Infant")
    DISABLED = "disabled", _("Disabled or bedridden")
    DOOR_SERVICE = "door_service", _("Needs door-to-door service")
    HARDSHIP = "hardship", _("Hardship household")
