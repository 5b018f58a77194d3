"""Choices that import no ORM: Django's TextChoices, for modules that must not load django.db.

Importing `django.db.models.enums` runs `django/db/models/__init__.py`, which loads the whole ORM
(querysets, models, fields): the spreadsheet reader, which touches no database, would carry it.
This is the same idea in a few lines (after django/db/models/enums.py): members written as
`NAME = value, label`; `Class.choices`, `.values`, `.labels` and `.names`; `member.label`. A model
field takes `Class.choices` as it takes a TextChoices'; a member is a str, equal to its value.
"""

import enum

from django.utils.functional import Promise


class _ChoicesType(enum.EnumType):
    def __new__(metacls, classname, bases, classdict, **kwds):
        labels = []
        for key in classdict._member_names:
            value = classdict[key]
            if isinstance(value, list | tuple) and len(value) > 1 and isinstance(value[-1], Promise | str):
                *value, label = value
                value = tuple(value)
            else:
                label = key.replace("_", " ").title()
            labels.append(label)
            dict.__setitem__(classdict, key, value)  # past enum's guard against assigning a name twice
        cls = super().__new__(metacls, classname, bases, classdict, **kwds)
        for member, label in zip(cls.__members__.values(), labels, strict=True):
            member._label_ = label
        return enum.unique(cls)

    def __contains__(cls, member):
        if not isinstance(member, enum.Enum):
            return any(x.value == member for x in cls)  # "M" in Sex, as with Django's choices
        return super().__contains__(member)

    @property
    def names(cls):
        return [member.name for member in cls]

    @property
    def choices(cls):
        return [(member.value, member.label) for member in cls]

    @property
    def labels(cls):
        return [member.label for member in cls]

    @property
    def values(cls):
        return [member.value for member in cls]


class TextChoices(enum.StrEnum, metaclass=_ChoicesType):
    """A str enum with a label per member, like django.db.models.TextChoices."""

    do_not_call_in_templates = enum.nonmember(True)

    @property
    def label(self):
        return self._label_

    def __repr__(self):
        return f"{self.__class__.__qualname__}.{self._name_}"
