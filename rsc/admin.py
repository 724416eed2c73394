"""The Django admin is for site operators: operational metadata, never reflective content.

Session notes and their versions are left out on purpose; operators manage
structure (organizations, agreements, schedules), not what was said.
"""

from django.contrib import admin
from django.utils import timezone

from rsc.models import Family, RSCGroup, SupervisionAgreement, SupervisionSession


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ["code", "organization", "context", "opened_on", "closed_on", "deleted_at"]
    list_filter = ["organization", "context"]
    list_select_related = ["organization"]
    fields = ["organization", "code", "context", "opened_on", "closed_on", "practitioners"]
    filter_horizontal = ["practitioners"]

    def save_model(self, request, obj, form, change) -> None:
        # Retention counts from closed_at, never from the typed closing date: closing (or changing
        # the closing date) here is a close by the operator, now, as in the app.
        if "closed_on" in form.changed_data or (obj.closed_on is None) != (obj.closed_at is None):
            if obj.closed_on is None:
                obj.closed_at, obj.closed_by = None, None
            else:
                obj.closed_at, obj.closed_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)


@admin.register(SupervisionAgreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["supervisor", "supervisee", "organization", "starts_on", "ends_on", "format"]
    list_filter = ["organization", "format"]
    list_select_related = ["supervisor", "supervisee", "organization"]


@admin.register(RSCGroup)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "facilitator", "is_active"]
    list_select_related = ["organization", "facilitator"]
    filter_horizontal = ["members"]


@admin.register(SupervisionSession)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "organization", "supervisor", "status", "signed_at"]
    list_filter = ["organization", "status"]
    list_select_related = ["organization", "supervisor"]
    date_hierarchy = "starts_at"
    # No notes: reflective content is not for the operator's screen.
    fields = ["organization", "supervisor", "starts_at", "duration_minutes", "modality", "status", "signed_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
