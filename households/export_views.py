"""Export pages: pick a table, a format and (optionally) one building; the file downloads."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lockdown.core.errors import ServiceError

from . import exports
from .forms import ExportForm
from .models import Building
from .scoping import scope_of


def _buildings(request):
    queryset = Building.objects.select_related("compound").order_by("compound__name", "sort_key", "number")
    return scope_of(request).filter(queryset)


@login_required
def export_list(request):
    context = {"kinds": exports.KINDS, "form": ExportForm(buildings=_buildings(request))}
    return render(request, "households/export_list.html", context)


@login_required
@require_POST
def export_download(request):
    form = ExportForm(request.POST, buildings=_buildings(request))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("households:exports")
    data = form.cleaned_data
    file = tempfile.TemporaryFile()  # an export of a street is written to disk, not held in memory
    try:
        exports.export_write(
            actor=request.user,
            kind=data["kind"],
            fmt=data["fmt"],
            target=file,
            building=data["building"],
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ServiceError as error:
        file.close()
        messages.error(request, error.message)
        return redirect("households:exports")
    file.seek(0)
    title = exports.KINDS[data["kind"]].title
    if data["building"]:
        title = f"{data['building'].compound}{data['building'].number}号楼-{title}"
    filename = f"{title}-{timezone.localdate():%Y%m%d}.{data['fmt']}"
    return FileResponse(file, as_attachment=True, filename=filename)
