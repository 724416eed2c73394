from django.urls import path

from rsc.views import audit as views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("export.csv", views.audit_export, name="audit_export"),
]
