"""Filters for the volunteers' pages (added to the environment in lockdown/jinja2.py)."""

from .choices import DayPart, Skill, labels


def skill_labels(values):
    return labels(Skill, values)


def day_part_labels(values):
    return labels(DayPart, values)


filters = {"skills": skill_labels, "day_parts": day_part_labels}
