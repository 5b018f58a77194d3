"""Filters for register pages. The badges are filters, not included templates: an include per
resident was most of the building page's rendering time."""

from django import template
from django.utils.html import format_html, format_html_join

from lockdown.core.identity import mask_id_number, mask_phone

register = template.Library()
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def tag_badges(resident):
    """The resident's key-population tags (from selectors.for_display) as badges."""
    return format_html_join(
        "", '<span class="tag tag-{}" title="{}">{}</span>', ((t.tag, t.note, t.label) for t in resident.tag_list)
    )


@register.filter
def presence_badge(resident):
    return format_html('<span class="presence presence-{}">{}</span>', resident.presence, resident.presence_label)
