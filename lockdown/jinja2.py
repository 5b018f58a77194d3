"""The Jinja2 environment of the site's pages.

Pages are Jinja2, not Django templates: Jinja2 compiles a template to Python, and the register's
long lists (a building's 300 residents, a 100-row key-population page) rendered five to ten times
faster than in Django's engine, where rendering cost far more than the database work. Django's
engine still serves the admin, the API's browsable pages and form widgets.
"""

import datetime
import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from jinja2 import Environment

from households.template_functions import filters as household_filters
from households.template_functions import globals as household_globals
from lockdown.core.errors import about
from lockdown.core.identity import mask_id_number, mask_phone
from supplies.template_functions import filters as supplies_filters
from volunteers.template_functions import filters as volunteer_filters

# A primary key no row will have: reversed once per URL name, then replaced by the real one.
_PK_PLACEHOLDER = "8101397531"


@functools.lru_cache(maxsize=256)
def _pk_url_parts(name, urlconf, prefix):
    head, _, tail = reverse(name, args=[_PK_PLACEHOLDER], urlconf=urlconf).partition(_PK_PLACEHOLDER)
    return head, tail


def url(name, *args, **kwargs):
    """reverse() for templates. A URL named with one primary key (most links in a list) is reversed
    once and then formatted: reverse() per row was a fifth of a building page's time. (The project
    sets no per-request urlconf, so ROOT_URLCONF is the one to cache for.)"""
    if len(args) == 1 and not kwargs and type(args[0]) is int and args[0] >= 0:
        head, tail = _pk_url_parts(name, settings.ROOT_URLCONF, get_script_prefix())
        return f"{head}{args[0]}{tail}"
    return reverse(name, args=args, kwargs=kwargs)


def date(value, format_string="%Y-%m-%d"):
    """A date or time in strftime's format; aware datetimes are shown in the local time zone.
    (Not Django's date filter: its localised formats cost 15 µs a call, most of a table's time.)"""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(format_string)


def querystring(request, **changes):
    """The request's query string with some parameters replaced, like Django's {% querystring %}:
    a pager's links keep the page's filters."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()


def environment(**options):
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True, **options)
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(url=url, static=static, querystring=querystring, get_language=translation.get_language)
    env.globals.update(about=about)  # "Zone: 一块区" with the colon of the language
    env.globals.update(household_globals)
    env.filters.update(
        date=date,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
        **household_filters,
        **volunteer_filters,
        **supplies_filters,
    )
    return env
