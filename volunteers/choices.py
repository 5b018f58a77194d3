"""The choices of the volunteers' fields, with no ORM: the registration form, the group table and
the sign-up rules read them."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Source(TextChoices):
    """Where a volunteer came from: the committees counted these three apart."""

    RESIDENT = "resident", _("Resident")
    PARTY_MEMBER = "party_member", _("Party member reporting to the community")
    CADRE = "cadre", _("Cadre sent down from an office")


class Skill(TextChoices):
    MEDICAL = "medical", _("Doctor or nurse")
    DRIVER = "driver", _("Driver")
    SUIT_TRAINED = "suit_trained", _("Trained in protective suits")
    COMPUTER = "computer", _("Computer and spreadsheets")
    COUNSELLING = "counselling", _("Counselling")


class DayPart(TextChoices):
    MORNING = "morning", _("Mornings")
    AFTERNOON = "afternoon", _("Afternoons")
    EVENING = "evening", _("Evenings")


def labels(choices, values) -> str:
    """Stored choice values (a volunteer's skills, free day parts) as one line of their labels."""
    known = dict(choices.choices)
    return "、".join(str(known.get(value, value)) for value in values)
