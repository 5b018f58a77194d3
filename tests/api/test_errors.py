"""The API's refusals: the same status as the pages', messages in the active language."""

import pytest

from households.models import Presence, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "path", "body", "message"),
    [
        (Role.VOLUNTEER, "presence", {"presence": Presence.AWAY}, "You may not mark this resident's presence."),
        (Role.VOLUNTEER, "reveal", {"field": "phone"}, "Your role may not see this number."),
        (Role.BUILDING_LEADER, "reveal", {"field": "id_number"}, "Your role may not see this number."),
    ],
)
def test_a_refusal_by_role_is_a_403_as_on_the_pages(client, world, role, path, body, message):
    client.force_login(world.users[role])

    response = client.post(f"/api/residents/{world.resident.pk}/{path}/", body)

    assert response.status_code == 403
    assert response.json() == {"detail": message}
    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.HOME


def test_revealing_a_field_that_is_no_number_is_a_400(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.post(f"/api/residents/{world.resident.pk}/reveal/", {"field": "name"})

    assert response.status_code == 400
    assert response.json() == {"field": ["Choose the ID number or the phone number."]}


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_not_found_is_said_in_chinese_without_naming_the_model(client, world, chinese):
    client.force_login(world.users[Role.BUILDING_LEADER])

    outside = client.get(f"/api/households/{world.far_household.pk}/")
    reveal = client.post(f"/api/residents/{world.far_resident.pk}/reveal/", {"field": "phone"})

    assert (outside.status_code, reveal.status_code) == (404, 404)
    assert outside.json() == {"detail": "未找到。"}
    assert reveal.json() == {"detail": "未找到。"}


def test_a_body_that_is_not_json_is_refused_in_chinese(client, world, chinese):
    client.force_login(world.users[Role.BUILDING_LEADER])

    response = client.post(
        f"/api/residents/{world.resident.pk}/presence/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "无法读取请求正文：请发送有效的 JSON 或表单数据。"}


def test_a_refusal_by_role_is_said_in_chinese(client, world, chinese):
    client.force_login(world.users[Role.VOLUNTEER])

    response = client.post(f"/api/residents/{world.resident.pk}/reveal/", {"field": "phone"})

    assert response.json() == {"detail": "您的角色无权查看此号码。"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/residents/1.5/"), ("get", "/api/households/1e-9/"), ("post", "/api/residents/abc/reveal/")],
)
def test_an_id_that_is_no_number_answers_404_in_json(client, world, method, path):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = getattr(client, method)(path, {"field": "phone"} if method == "post" else None)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["presence", "reveal"])
@pytest.mark.parametrize("body", ["[]", '["phone"]', '"phone"', "null", '{"field": ["phone"], "presence": ["away"]}'])
def test_a_body_of_the_wrong_shape_is_a_400(client, world, path, body):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    response = client.post(f"/api/residents/{world.resident.pk}/{path}/", body, content_type="application/json")

    assert response.status_code == 400
    world.resident.refresh_from_db()
    assert world.resident.presence == Presence.HOME
