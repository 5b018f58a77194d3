import django_filters
from django import forms
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from lockdown.core.bounds import ID_MAX, ID_MIN
from lockdown.core.errors import NotPermitted, ServiceError

# The project's one API router, served under /api/. Each app's api module registers its viewsets
# with it when lockdown.urls imports that module. This module imports no app, so that every app can
# import it.
router = DefaultRouter()


def exception_handler(exc, context):
    """A refusal by role is a 403 and any other ServiceError the caller's mistake, a 400 with its
    message, never a 500. Messages follow the active language: Django's 404 names the model in
    English ("No Household matches the given query.") and DRF's parsers quote the parser's error."""
    if isinstance(exc, NotPermitted):
        exc = PermissionDenied(exc.message)
    elif isinstance(exc, ServiceError):
        exc = ValidationError({exc.field or "detail": [exc.message]})
    elif isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, ParseError):
        exc = ParseError(_("The request's body could not be read: send valid JSON or form data."))
    return drf_exception_handler(exc, context)


# A row's id: positive, and within PostgreSQL's bigint.
ID_SCHEMA = {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}


@extend_schema_field(ID_SCHEMA)
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


DETAIL_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# What exception_handler answers: a message per field (a filter, a body field), or one `detail`.
MESSAGES_SCHEMA = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
}
ERROR_RESPONSES = {
    "400": ("The request's parameters or body are not valid: the message says which and why.", MESSAGES_SCHEMA),
    "403": ("Not logged in, or the caller's role may not do this.", DETAIL_SCHEMA),
    "404": ("Nothing with this id in the caller's areas, or no such page of the list.", DETAIL_SCHEMA),
    "415": ("The body is neither JSON nor a form.", DETAIL_SCHEMA),
}


def declare_errors_and_ids(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation declares the 403 and 404 that
    exception_handler gives, the 400 if it takes parameters or a body, the 415 if it takes a body;
    every id in a path declares the range that IdFilter accepts in a query."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = dict(ID_SCHEMA)
            takes_input = "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", []))
            for status, (description, schema) in ERROR_RESPONSES.items():
                if (status == "400" and not takes_input) or (status == "415" and "requestBody" not in operation):
                    continue
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": schema}}}
                )
    return result
