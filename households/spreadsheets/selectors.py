"""Reads for the spreadsheet pages: the latest imports and exports, and an import's preview as the
page shows it (its columns, its changes in words)."""

from households.models import Community, ExportJob, ImportJob
from households.selectors import describe_change
from households.vocabulary import ALIASES, IGNORED, column_field, header_key


def import_jobs(scope, limit=20):
    """The latest imports into the communities this account may change."""
    communities = scope.editable_communities(Community.objects.all())
    jobs = ImportJob.objects.filter(community__in=communities).select_related("community", "created_by")
    return jobs.defer("columns", "sheets", "problems", "new_areas", "changes", "errors", "findings", "words", "keep")[
        :limit
    ]


def export_jobs(user, limit=10):
    """The account's own latest exports: nobody else's are listed or downloadable."""
    return ExportJob.objects.filter(created_by=user).select_related("building__compound", "campaign")[:limit]


def earlier_imports_of_same_file(job):
    """Completed imports of the very same file into the same community."""
    return (
        ImportJob.objects.filter(community=job.community_id, file_sha256=job.file_sha256, status=ImportJob.Status.DONE)
        .exclude(pk=job.pk)
        .select_related("created_by")
    )


def import_changes(job, limit):
    """The first changed residents of an import's preview, each with `lines` (field, before, after) in words."""
    return [
        dict(change, lines=[describe_change(name, *values) for name, values in change["changes"].items()])
        for change in job.changes[:limit]
    ]


def import_columns(job, headers):
    """The field each column of the file feeds: the admin's choice, else its usual name."""
    return {key: column_field(key, job.columns) for key in headers}


def import_unrecognised_columns(job, headers):
    """The columns as written that the import does not know and the admin has not chosen a field for."""
    return [written for key, written in headers.items() if key not in job.columns and key not in ALIASES]


def import_headers(job):
    """Each column of the file's sheets by its comparable key, as first written; known extras left out."""
    headers = {}
    for sheet in job.sheets:
        for written in sheet["headers"]:
            key = header_key(written)
            if key and key not in IGNORED:
                headers.setdefault(key, written)
    return headers
