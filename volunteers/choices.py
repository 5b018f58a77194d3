"""The choices of the volunteers' fields, with no ORM: the registration form, the group table and
the sign-up rules read them."""

import functools

from django.db.models import TextChoices
from django.utils.translation import get_language
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
    if not values:
        return ""
    known = _labels_in(choices, get_language())
    return "、".join(known.get(value, value) for value in values)


@functools.cache
def _labels_in(choices, language) -> dict[str, str]:
    """{value: label} in a language, translated once: a roster of 300 read them 300 times."""
    return {value: str(label) for value, label in choices.choices}
