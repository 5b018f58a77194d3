"""`manage.py import_register FILE --community NAME [--compound NAME] [--confirm]`: a scripted import.

The same pipeline as the Import page: the same services, rules and job record (the job appears on the
page, and can be decided and confirmed there). Prints the preview's counts as one JSON object; with
--confirm it also writes what the preview accepts (rows held back or rejected stay out) and prints
the counts of what was written.
"""

import json
import re
from collections import Counter
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from households.models import Community, Compound, ImportJob
from households.spreadsheets.imports import import_job_commit, import_job_confirm, import_job_create, import_job_preview
from lockdown.core.errors import ServiceError

DIGITS = re.compile(r"\d+")


class Command(BaseCommand):
    help = "Import a household spreadsheet into a community's register, as the Import page does."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--community", required=True, help="the community's name (居民区)")
        parser.add_argument("--street", help="the street's name, where two streets have a community of that name")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--compound", default="", help="where rows that name no compound go: an existing compound")
        where.add_argument("--new-compound", default="", help="…or a new compound of this name")
        parser.add_argument("--user", help="the account that imports (default: the only superuser)")
        parser.add_argument("--confirm", action="store_true", help="write the rows after the preview")

    def handle(self, *args, file, community, street, compound, new_compound, user, confirm, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        community = _community(community, street)
        actor = _actor(user)
        existing = None
        if compound:
            existing = Compound.objects.filter(community=community, name=compound).first()
            if existing is None:
                names = "、".join(community.compounds.values_list("name", flat=True))
                raise CommandError(
                    f"{community} has no compound named {compound} (it has {names}); --new-compound makes one"
                )
        try:
            with file.open("rb") as handle:
                job = import_job_create(
                    actor=actor,
                    community=community,
                    compound=existing,
                    compound_name=new_compound,
                    upload=File(handle, file.name),
                )
            import_job_preview(job)
            job.refresh_from_db()
            if confirm and job.status == ImportJob.Status.PREVIEW:
                import_job_confirm(actor=actor, job=job)
                import_job_commit(job)
                job.refresh_from_db()
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(json.dumps(summary(job), ensure_ascii=False))
        wanted = ImportJob.Status.DONE if confirm else ImportJob.Status.PREVIEW
        if job.status != wanted:  # a mapping to choose, a failure, or a register changed under the write
            raise CommandError(job.message or "; ".join(job.problems) or job.get_status_display())


def summary(job):
    """What the preview (or the write) found, in counts."""
    findings = job.findings or {}
    reasons = Counter(f"{e['column']}: {DIGITS.sub('#', e['message'])}" for e in job.errors)
    return {
        "job": job.pk,
        "status": job.status,
        "compound": (job.new_areas or {}).get("compound", ""),
        "new": job.created,
        "changed": job.changed,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "rejected_by_reason": dict(reasons.most_common()),
        "held_back_as_duplicates": findings.get("held", 0),
        "duplicates": len(findings.get("duplicates", [])),
        "kept_in_notes": len(findings.get("kept", [])),
        "words_not_understood": [
            {"field": w["field"], "phrase": w["phrase"], "rows": w["rows"]} for w in findings.get("unknown", [])
        ],
        "problems": job.problems,
    }


def _community(name, street):
    communities = Community.objects.filter(name=name).select_related("street")
    if street:
        communities = communities.filter(street__name=street)
    found = list(communities[:3])
    if not found:
        raise CommandError(f"no community named {name}")
    if len(found) > 1:
        streets = ", ".join(c.street.name for c in found)
        raise CommandError(f"several communities are named {name} (streets: {streets}); name one with --street")
    return found[0]


def _actor(username):
    users = get_user_model().objects.filter(is_active=True)
    if username:
        actor = users.filter(username=username).first()
        if actor is None:
            raise CommandError(f"no active account named {username}")
        return actor
    superusers = list(users.filter(is_superuser=True)[:2])
    if len(superusers) != 1:
        raise CommandError("name the account that imports with --user")
    return superusers[0]
