"""The spreadsheet pages: an import (upload, a live preview, the column choices, confirm or cancel)
and an export (pick a table, a format and perhaps one building; a worker writes it while the page
shows its progress, then the file downloads from the person's own list)."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households.models import Building, Community, ExportJob, ImportJob
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, errors_text, show_as_message, show_on_form
from lockdown.core.jobs import progress_response
from lockdown.core.spreadsheets import XLSX_TYPE

from . import exports, imports, selectors, tables
from .forms import ExportForm, ImportChoicesForm, ImportColumnsForm, ImportUploadForm
from .tasks import commit_import_task, export_task, preview_import_task

PREVIEW_ROWS = 200


def _job_in_scope(request, pk, *only):
    communities = scope_of(request).editable_communities(Community.objects.all())
    queryset = ImportJob.objects.filter(community__in=communities)
    if only:  # the progress poll reads a few numbers, not the preview's lists
        queryset = queryset.only(*only)
    else:
        queryset = queryset.select_related("community", "compound", "created_by")
    return get_object_or_404(queryset, pk=pk)


@login_required
def import_list(request):
    communities = scope_of(request).editable_communities(Community.objects.all())
    form = ImportUploadForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_job_create(
                actor=request.user,
                community=form.cleaned_data["community"],
                compound=form.cleaned_data["compound"],
                compound_name=form.cleaned_data["compound_name"],
                upload=form.cleaned_data["file"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ServiceError as error:
            show_on_form(form, error)
        else:
            preview_import_task.delay_on_commit(job.pk)
            return redirect("spreadsheets:import", pk=job.pk)
    context = {"form": form, "jobs": selectors.import_jobs(scope_of(request)), "can_import": communities.exists()}
    return render(request, "spreadsheets/import_list.html", context)


@login_required
def import_detail(request, pk):
    job = _job_in_scope(request, pk)
    headers = selectors.import_headers(job)
    context = {
        "job": job,
        "columns_form": ImportColumnsForm(headers=headers, columns=selectors.import_columns(job, headers)),
        "unrecognised": selectors.import_unrecognised_columns(job, headers),
        "choices_form": ImportChoicesForm(job=job),
        "changes": selectors.import_changes(job, limit=PREVIEW_ROWS),
        "errors": Paginator(job.errors, PREVIEW_ROWS).get_page(request.GET.get("page")),
        "kept": job.findings.get("kept", [])[:PREVIEW_ROWS],
        "preview_rows": PREVIEW_ROWS,
        "earlier": selectors.earlier_imports_of_same_file(job),
    }
    return render(request, "spreadsheets/import_detail.html", context)


@login_required
def import_progress(request, pk):
    job = _job_in_scope(request, pk, *ImportJob.PROGRESS_FIELDS)
    return progress_response(job, lines_total=job.lines_total, lines_read=job.lines_read, rows_checked=job.rows_checked)


@login_required
@require_POST
def import_columns(request, pk):
    job = _job_in_scope(request, pk)
    headers = selectors.import_headers(job)
    form = ImportColumnsForm(request.POST, headers=headers, columns=selectors.import_columns(job, headers))
    if form.is_valid():
        try:
            imports.import_job_set_columns(actor=request.user, job=job, columns=form.columns())
        except ServiceError as error:
            show_as_message(request, error)
        else:
            preview_import_task.delay_on_commit(job.pk)
    return redirect("spreadsheets:import", pk=job.pk)


@login_required
@require_POST
def import_choices(request, pk):
    job = _job_in_scope(request, pk)
    form = ImportChoicesForm(request.POST, job=job)
    if form.is_valid():
        try:
            imports.import_job_set_choices(actor=request.user, job=job, **form.choices())
        except ServiceError as error:
            show_as_message(request, error)
        else:
            preview_import_task.delay_on_commit(job.pk)
    else:
        messages.error(request, errors_text(form))
    return redirect("spreadsheets:import", pk=job.pk)


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job_in_scope(request, pk)
    choices = None
    if "compound" in request.POST:  # pressed in the preview's form: with the decisions on the page
        form = ImportChoicesForm(request.POST, job=job)
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect("spreadsheets:import", pk=job.pk)
        choices = form.choices()
    try:
        confirmed = imports.import_job_confirm(actor=request.user, job=job, choices=choices)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        if confirmed:
            commit_import_task.delay_on_commit(job.pk)
        else:
            preview_import_task.delay_on_commit(job.pk)
            messages.info(
                request, _("Your decisions are taken and the file is read again: check the preview, then confirm.")
            )
    return redirect("spreadsheets:import", pk=job.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    job = _job_in_scope(request, pk)
    try:
        imports.import_job_cancel(actor=request.user, job=job)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, _("The import was cancelled; nothing was written."))
    return redirect("spreadsheets:imports")


@login_required
def import_rejected(request, pk):
    job = _job_in_scope(request, pk)
    buffer = io.BytesIO()
    imports.rejected_rows_write(job, buffer)
    buffer.seek(0)
    stem = job.file_name.rsplit(".", 1)[0]
    return FileResponse(
        buffer, as_attachment=True, filename=f"{stem}-{_('rejected rows')}.xlsx", content_type=XLSX_TYPE
    )


def _buildings(request):
    queryset = Building.objects.select_related("compound").order_by("compound__name", "sort_key", "number")
    return scope_of(request).filter(queryset)


@login_required
def export_list(request):
    context = {
        "kinds": tables.KINDS,
        "form": ExportForm(buildings=_buildings(request)),
        "jobs": selectors.export_jobs(request.user),
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    }
    return render(request, "spreadsheets/export_list.html", context)


@login_required
@require_POST
def export_start(request):
    form = ExportForm(request.POST, buildings=_buildings(request))
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("spreadsheets:exports")
    try:
        job = exports.export_job_create(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            fmt=form.cleaned_data["fmt"],
            building=form.cleaned_data["building"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ServiceError as error:
        show_as_message(request, error)
        return redirect("spreadsheets:exports")
    export_task.delay_on_commit(job.pk)
    return redirect("spreadsheets:exports")


@login_required
def export_progress(request, pk):
    job = get_object_or_404(ExportJob.objects.only(*ExportJob.PROGRESS_FIELDS), pk=pk, created_by=request.user)
    return progress_response(job)


@login_required
def export_download(request, pk):
    try:
        job = exports.export_job_for_download(actor=request.user, pk=pk)
    except ServiceError as error:
        show_as_message(request, error)
        return redirect("spreadsheets:exports")
    if job is None:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
