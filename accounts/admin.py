from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "require_mfa", "time_zone", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organization", "is_active", "is_staff"]
    list_filter = ["organization", "is_active", "is_staff", "is_account_admin", "is_supervisor", "is_practitioner"]
    list_select_related = ["organization"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "time_zone", "organization"]}),
        (_("Roles"), {"fields": ["is_practitioner", "is_supervisor", "is_account_admin"]}),
        (
            _("Status"),
            {"fields": ["is_active", "invitation_accepted", "deactivated_at", "is_staff", "is_superuser"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "organization", "password1", "password2"]}),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["token_hash"]
