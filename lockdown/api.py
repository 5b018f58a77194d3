from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from lockdown.core.errors import ServiceError


def exception_handler(exc, context):
    """A ServiceError is the caller's mistake: answer 400 with its message, never 500."""
    if isinstance(exc, ServiceError):
        exc = ValidationError({exc.field or "detail": [exc.message]})
    return drf_exception_handler(exc, context)
