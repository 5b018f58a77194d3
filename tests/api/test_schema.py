"""The schema: for logged-in accounts, and declaring every answer the API gives and every id's range."""

import pytest
from django.urls import reverse

from households.models import Role

LARGEST_ID = 2**63 - 1

pytestmark = pytest.mark.django_db

ID_RANGE = {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}


@pytest.fixture
def schema(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    return client.get("/api/schema/", {"format": "json"}).json()


def test_schema_and_docs_page_are_for_logged_in_accounts_only(client, world):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 403
    assert docs.status_code == 302
    assert docs.url.startswith(reverse("login"))


def test_every_operation_declares_its_refusals(schema):
    declared = {
        (method, path): set(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }

    assert declared[("get", "/api/residents/")] == {"200", "400", "403", "404"}
    assert declared[("get", "/api/residents/{id}/")] == {"200", "403", "404"}
    assert declared[("post", "/api/residents/{id}/reveal/")] == {"200", "400", "403", "404", "415"}
    assert all({"403", "404"} <= statuses for statuses in declared.values())


def test_every_id_declares_its_range(schema):
    ids = {
        (path, parameter["name"]): parameter["schema"]
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "id" or parameter["schema"].get("type") == "integer" and parameter["name"] != "page"
    }

    assert ids[("/api/residents/{id}/", "id")] == ID_RANGE
    assert ids[("/api/residents/", "household")] == ID_RANGE
    assert ids[("/api/households/", "building__zone")] == ID_RANGE
    assert all(schema == ID_RANGE for schema in ids.values())
