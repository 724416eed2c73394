"""The project's URLs plus three the matrix has never heard of: for the test of the test."""

from django.http import HttpResponse
from django.urls import path

from rsc.models import Family
from rsc.urls import urlpatterns as project_urlpatterns


def extra(request, pk=None):
    return HttpResponse("Nothing to see.")


def writes_on_get(request):
    """What no GET may do: change a record."""
    Family.objects.update(code="CHANGED")
    return HttpResponse("Changed.")


urlpatterns = [
    *project_urlpatterns,
    path("security-suite-extra/", extra, name="security_suite_extra"),
    path("security-suite-extra/<int:pk>/", extra, name="security_suite_extra_record"),
    path("security-suite-writes/", writes_on_get, name="security_suite_writes"),
]
