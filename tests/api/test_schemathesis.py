"""schemathesis over the whole API, as each role and as an account with no role: no answer is a
server error or outside the schema (its statuses, content types, bodies, headers), and none is
given without the session.

Bounded by the number of examples: per role, operation and mode (data that fits the schema, and
data that does not), EXAMPLES_PER_OPERATION requests and the probes of its checks; about 40 s in all.
No time limit per request (hypothesis's deadline): the suite has no timed tests."""

import contextlib

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from households.models import Building, Community, Compound, Household, Resident, Role, Zone
from lockdown.wsgi import application
from tests.households.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [*Role.values, "no role"]
EXAMPLES_PER_OPERATION = 10
# DRF reads an empty or unknown query parameter (`?page=`, `?zone=&x=1`) as absent, as Django's
# pages do: lenient, not a fault. Every other check runs, negative data included (no 5xx for it).
LENIENT_ON_PURPOSE = [negative_data_rejection]


@contextlib.contextmanager
def in_test_transaction():
    """Requests go to the WSGI application in this thread, on the test's connection and inside its
    transaction; Django would close that connection at each request's start and end (its own test
    client prevents that too, and connects the handler again after each of its requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def logged_in(client, user):
    """The cookies and headers of a logged-in browser session, with its CSRF token for the POSTs."""
    client.force_login(user)
    token = _get_new_csrf_string()
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {"X-CSRFToken": token}


def cases(operation, mode, auth, known_ids):
    """Generated requests; for an operation on one row, as many again on rows that exist (inside the
    account's areas and outside), which a random id would hardly ever name."""
    generated = operation.as_strategy(generation_mode=mode, auth_storage=auth)
    if "{id}" not in operation.path:
        return generated
    on_rows = st.sampled_from(known_ids).flatmap(
        lambda pk: operation.as_strategy(generation_mode=mode, auth_storage=auth, path_parameters={"id": pk})
    )
    return st.one_of(generated, on_rows)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_request_within_its_schema(client, world, role):
    user = world.users.get(role) or UserFactory(username="nobody")
    cookies, headers = logged_in(client, user)
    # The schema as this account is served it; the requests go to the WSGI application in-process.
    schema = schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())
    schema.app = application

    @schema.auth()
    class Session:
        def get(self, case, context):
            return cookies

        def set(self, case, data, context):
            case.cookies = {**(case.cookies or {}), **data}
            case.headers = {**(case.headers or {}), **headers}

    known_ids = [
        pk
        for model in (Community, Compound, Zone, Building, Household, Resident)
        for pk in model.objects.values_list("pk", flat=True)
    ]
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = cases(operation, mode, schema.auth, known_ids)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),  # slow or large examples are what it is for
            )
            def check(case):
                case.call_and_validate(excluded_checks=LENIENT_ON_PURPOSE)

            try:
                with in_test_transaction():
                    check()
            except Exception as error:  # noqa: BLE001 - every failing operation is reported together
                failures.append(f"{operation.label} ({mode}): {error}")
    assert failures == []
