"""A person's own data, to download (the zip itself is built in rsc/services/export.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rsc import audit
from rsc.services.export import build_archive, counts_for


@require_http_methods(["GET", "POST"])
def my_data_export(request: HttpRequest) -> HttpResponse:
    """GET explains what the download holds; POST (CSRF-protected) sends it."""
    if request.method == "GET":
        return render(request, "rsc/me/export.html", {"counts": counts_for(request.user)})
    archive, counts = build_archive(request.user)
    audit.record(
        request,
        audit.Action.EXPORT,
        record_type=audit.RecordType.PERSON,
        record_id=request.user.pk,
        detail={"export": "own_data", **counts},
    )
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="rsc-records-{timezone.localdate().isoformat()}.zip"'
    response["Cache-Control"] = "no-store"
    return response
