"""The SMS gateway: one small interface (`base.Backend`), backends chosen in settings.

    backend = sms.get_backend()
    results = backend.send(template, messages, request_ref="…")

SMS_BACKEND names the backend (console, memory, aliyun, tencent); SMS_OPTIONS[name] holds its
options, credentials read from the environment only. The provider's published limits are the
defaults; SMS_NUMBERS_PER_REQUEST, SMS_NUMBERS_PER_REQUEST_SAME_PARAMS and SMS_REQUESTS_PER_SECOND
override them.
"""

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .aliyun import AliyunBackend
from .base import (
    Backend,
    GatewayError,
    NotSent,
    Outcome,
    Outgoing,
    Receipt,
    Refused,
    Result,
    Template,
    Unsure,
    placeholders,
    render,
    segments,
)
from .local import ConsoleBackend, MemoryBackend
from .pacing import Pacer
from .tencent import TencentBackend

__all__ = [
    "Backend",
    "GatewayError",
    "NotSent",
    "Outcome",
    "Outgoing",
    "Receipt",
    "Refused",
    "Result",
    "Template",
    "Unsure",
    "get_backend",
    "site_template",
    "placeholders",
    "render",
    "segments",
]

BACKENDS = {cls.name: cls for cls in (ConsoleBackend, MemoryBackend, AliyunBackend, TencentBackend)}
REQUIRED_OPTIONS = {
    "aliyun": ("access_key_id", "access_key_secret", "endpoint"),
    "tencent": ("secret_id", "secret_key", "sdk_app_id", "endpoint"),
}


@functools.cache
def get_backend(name: str = "") -> Backend:
    """The configured backend (one per process: it keeps its HTTP connections)."""
    name = name or settings.SMS_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    options = dict(settings.SMS_OPTIONS.get(name, {}))
    missing = [key for key in REQUIRED_OPTIONS.get(name, ()) if not options.get(key)]
    if missing:
        raise ImproperlyConfigured(f"The {name} SMS backend needs {', '.join(missing)} (see deploy.env.example)")
    cls = BACKENDS[name]
    pace = Pacer(name, settings.SMS_REQUESTS_PER_SECOND or cls.requests_per_second, settings.REDIS_URL)
    backend = cls(pace=pace, **options)
    backend.numbers_per_request = settings.SMS_NUMBERS_PER_REQUEST or cls.numbers_per_request
    backend.numbers_per_request_same_params = (
        settings.SMS_NUMBERS_PER_REQUEST_SAME_PARAMS or cls.numbers_per_request_same_params
    )
    return backend


@receiver(setting_changed)
def _forget_backend(setting, **kwargs):
    if setting.startswith("SMS_") or setting == "REDIS_URL":
        get_backend.cache_clear()


def site_template(key: str) -> Template:
    """One of the texts the site sends by itself (SMS_SITE_TEMPLATES: a login code, a place moved up
    from the waiting list, tomorrow's shift), as the gateway takes it."""
    entry = settings.SMS_SITE_TEMPLATES[key]
    return Template(
        code=entry["code"], body=entry["body"], params=tuple(entry["params"]), sign_name=settings.SMS_SIGN_NAME
    )
