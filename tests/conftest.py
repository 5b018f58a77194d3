import os

import pytest
from django.conf import settings
from django.utils import translation

REQUIRE_SERVICES = os.environ.get("LOCKDOWN_REQUIRE_SERVICES") == "1"


def require(condition, reason):
    """Skip a test whose service is missing on a laptop; in CI (LOCKDOWN_REQUIRE_SERVICES=1) fail it."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def on_postgres():
    require(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "needs DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    require(bool(settings.REDIS_URL), "needs REDIS_URL=redis://...")
    return settings.REDIS_URL


@pytest.fixture(autouse=True)
def _plain_settings(settings):
    # Tests read in English; tests of the Chinese interface switch to it themselves.
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    # Tests log in often; the lock-out has its own test.
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
