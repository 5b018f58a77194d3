"""Export pages: pick a table, a format and (optionally) one building; a worker writes it while the
page shows its progress, then the file downloads from the person's own list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lockdown.core.errors import ServiceError

from . import export_jobs, exports, selectors
from .forms import ExportForm, errors_text
from .models import Building, ExportJob
from .scoping import scope_of
from .tasks import export_task


def _buildings(request):
    queryset = Building.objects.select_related("compound").order_by("compound__name", "sort_key", "number")
    return scope_of(request).filter(queryset)


@login_required
def export_list(request):
    context = {
        "kinds": exports.KINDS,
        "form": ExportForm(buildings=_buildings(request)),
        "jobs": selectors.export_jobs(request.user),
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    }
    return render(request, "households/export_list.html", context)


@login_required
@require_POST
def export_start(request):
    form = ExportForm(request.POST, buildings=_buildings(request))
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("households:exports")
    try:
        job = export_jobs.export_job_create(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            fmt=form.cleaned_data["fmt"],
            building=form.cleaned_data["building"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("households:exports")
    export_task.delay_on_commit(job.pk)
    return redirect("households:exports")


@login_required
def export_progress(request, pk):
    fields = ("status", "rows_total", "rows_written")
    job = get_object_or_404(ExportJob.objects.only(*fields), pk=pk, created_by=request.user)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "running": job.is_running,
            "total": job.rows_total,
            "done": job.rows_written,
        }
    )


@login_required
def export_download(request, pk):
    try:
        job = export_jobs.export_job_for_download(actor=request.user, pk=pk)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("households:exports")
    if job is None:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
