"""Settings from the environment, login, throttling, and the Celery worker on Redis."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.urls import reverse

from households.models import Role, Tag
from households.tasks import refresh_age_tags_task

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SMS_BACKEND": "console",
    "DJANGO_SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "DATABASE_URL": "postgres://lockdown@db:5432/lockdown",
    "DJANGO_ALLOWED_HOSTS": "lockdown.example.org",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **(PRODUCTION | {"DJANGO_SECRET_KEY": ""}))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_use_sqlite_and_in_process_tasks():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
    )

    assert result.stdout.split()[-3:] == ["django.db.backends.sqlite3", "True", "False"]


def test_login_with_mobile_number(client, world, settings):
    settings.AXES_ENABLED = True
    leader = world.users[Role.BUILDING_LEADER]
    leader.mobile = "13800000003"
    leader.save()

    response = client.post(reverse("login"), {"username": "138 0000 0003", "password": "pw-for-tests-123"})

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == leader


def test_wrong_password_says_so_and_repeated_failures_lock_the_account(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    wrong = {"username": "staff", "password": "nope"}

    first = client.post(reverse("login"), wrong)
    for _ in range(2):
        client.post(reverse("login"), wrong)
    locked = client.post(reverse("login"), {"username": "staff", "password": "pw-for-tests-123"})

    assert "password is wrong" in first.content.decode()
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()


MOBILE_SPELLINGS = ["13900000013", "139 0000 0013", "139-0000-0013", "+8613900000013", "8613900000013"]


@pytest.fixture
def staff_with_mobile(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    staff = world.users[Role.COMMITTEE_STAFF]
    staff.mobile = "13900000013"
    staff.save()
    return staff


@pytest.mark.parametrize("right_spelling", ["staff", *MOBILE_SPELLINGS])
def test_wrong_passwords_in_different_spellings_lock_the_account(client, staff_with_mobile, right_spelling):
    for spelling in ["staff", *MOBILE_SPELLINGS[1:]]:
        client.post(reverse("login"), {"username": spelling, "password": "nope"})

    locked = client.post(reverse("login"), {"username": right_spelling, "password": "pw-for-tests-123"})

    assert locked.status_code == 429
    assert AccessAttempt.objects.get().username == "staff"


def test_a_successful_login_resets_the_account_counter_for_every_spelling(client, staff_with_mobile):
    for _ in range(4):
        client.post(reverse("login"), {"username": "139 0000 0013", "password": "nope"})
    client.post(reverse("login"), {"username": "staff", "password": "pw-for-tests-123"})
    client.logout()
    client.post(reverse("login"), {"username": "139 0000 0013", "password": "nope"})

    response = client.post(reverse("login"), {"username": "139 0000 0013", "password": "pw-for-tests-123"})

    assert response.status_code == 302


def test_an_unknown_login_counts_under_its_normalised_spelling(client, staff_with_mobile):
    for spelling in ["139 1111 2222", "+8613911112222", "ghost ", "ghost"]:
        client.post(reverse("login"), {"username": spelling, "password": "nope"})

    attempts = dict(AccessAttempt.objects.values_list("username", "failures_since_start"))

    assert attempts == {"13911112222": 2, "ghost": 2}


def test_pages_for_a_logged_in_account_are_not_stored_and_carry_a_content_security_policy(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    answers = [
        client.get(reverse("households:detail", args=[world.household.pk])),
        client.get(f"/api/residents/{world.resident.pk}/"),
    ]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("no-store" in answer.headers["Cache-Control"] for answer in answers)
    assert all("script-src 'self';" in answer.headers["Content-Security-Policy"] for answer in answers)


def test_the_login_page_has_the_policy_and_static_files_stay_cacheable(client, world):
    login = client.get(reverse("login"))
    client.force_login(world.users[Role.COMMITTEE_STAFF])
    stylesheet = client.get("/static/css/app.css")

    assert "default-src 'self'" in login.headers["Content-Security-Policy"]
    assert stylesheet.status_code == 200
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")


def test_sessions_expire(world):
    assert django_settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_age_task_runs_in_process_without_redis(world, settings):
    world.resident.birth_date = world.resident.birth_date.replace(year=1930)
    world.resident.save()

    assert refresh_age_tags_task.apply().get() == 1


def test_schema_and_docs_page_are_served(client, world):
    client.force_login(world.users[Role.COMMITTEE_STAFF])

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/residents/{id}/reveal/" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content.lower()
    # every script and stylesheet from this site, none from a CDN (a CSRF token may spell "cdn" by chance)
    assert re.findall(rb'(?:src|href)="(https?:)?//', docs.content) == []


@pytest.mark.django_db(transaction=True)
def test_real_celery_worker_on_redis_runs_the_age_task(celery_worker, world):
    """A worker process on the real broker picks the task up and writes to the same database."""
    world.resident.birth_date = world.resident.birth_date.replace(year=1930)
    world.resident.save()

    refresh_age_tags_task.apply_async(queue=celery_worker)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not world.resident.tags.filter(tag=Tag.AGED_80).exists():
        time.sleep(0.2)
    assert world.resident.tags.filter(tag=Tag.AGED_80).exists()


# What each field of a log line may hold, to read a line back through settings.LOGGING's format.
LOG_FIELDS = {
    "asctime": r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}",
    "levelname": r"[A-Z]+",
    "processName": r"\S+",
    "name": r"[\w.]+",
    "message": r".*",
}


def test_a_celery_worker_logs_through_the_web_process_settings(tmp_path):
    # Given the format that settings.LOGGING gives the web process's lines
    line_format = django_settings.LOGGING["formatters"]["line"]["format"]
    as_logged = re.compile(
        re.sub(r"%\\\((\w+)\\\)s", lambda field: f"(?P<{field[1]}>{LOG_FIELDS[field[1]]})", re.escape(line_format))
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env = clean | {"DJANGO_LOG_LEVEL": "INFO"}
    # When a real worker starts (on the in-memory broker: it only has to say it is ready)
    command = [sys.executable, "-m", "celery", "-A", "lockdown", "worker", "--pool", "solo", "-Q", "logging-test"]
    worker = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    # (stopped after a while if it never says so, which ends its output)
    give_up = threading.Timer(90, worker.terminate)
    give_up.start()
    try:
        lines = []
        while not (lines and lines[-1].endswith(" ready.")) and (line := worker.stdout.readline()):
            lines.append(line.rstrip("\n"))
    finally:
        give_up.cancel()
        worker.terminate()
        worker.wait(timeout=30)

    # Then its lines are the web process's: Celery's own "[time: LEVEL/process] message" is gone
    ready = as_logged.fullmatch(lines[-1])
    assert ready, lines
    assert ready["levelname"] == "INFO"
    assert ready["name"].startswith("celery.")
    assert re.fullmatch(r"celery@\S+ ready\.", ready["message"])
