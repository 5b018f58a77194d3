import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from lockdown.core.bounds import ID_MAX, ID_MIN
from lockdown.core.errors import ServiceError


def exception_handler(exc, context):
    """A ServiceError is the caller's mistake: answer 400 with its message, never 500."""
    if isinstance(exc, ServiceError):
        exc = ValidationError({exc.field or "detail": [exc.message]})
    return drf_exception_handler(exc, context)


class IdFilter(django_filters.NumberFilter):
    """A whole, positive id that fits the database's bigint: `?building=1.5` or a 25-digit number
    is a 400 with a message, not a rounded match or a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class IdFilterSet(FilterSet):
    """Related objects are filtered by their id. django-filter's default, a choice of every row of
    the related table, put every household of the street (outside the caller's areas too) into the
    browsable API's filter form, with a query per household."""

    FILTER_DEFAULTS = {**FilterSet.FILTER_DEFAULTS, models.ForeignKey: {"filter_class": IdFilter}}


class IdFilterBackend(DjangoFilterBackend):
    filterset_base = IdFilterSet
