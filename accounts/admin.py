from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Invitation, Organization, User
from rsc.forms.fields import NameField


class NameFieldsMixin:
    """Names typed in the admin are one line, as in the app's own forms."""

    name_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.name_fields:
            kwargs["form_class"] = NameField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(NameFieldsMixin, admin.ModelAdmin):
    name_fields = ("name",)
    list_display = ["name", "require_mfa", "time_zone", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(NameFieldsMixin, BaseUserAdmin):
    name_fields = ("full_name",)
    ordering = ["email"]
    list_display = ["email", "full_name", "organization", "is_active", "is_staff"]
    list_filter = ["organization", "is_active", "is_staff", "is_account_admin", "is_supervisor", "is_practitioner"]
    list_select_related = ["organization"]
    search_fields = ["email", "full_name"]
    actions = ["send_invitation"]
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

    @admin.action(description=_("Send an invitation email (people who have not chosen a password)"))
    def send_invitation(self, request, queryset):
        invited = 0
        for user in queryset.filter(is_active=True, invitation_accepted=False):
            services.invitation_send(user=user, invited_by=request.user, request=request)
            invited += 1
        self.message_user(
            request,
            _("Invitations on their way: %(count)s. Each person's page shows whether theirs was sent.")
            % {"count": invited},
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "delivery", "sent_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["delivery"]
    list_select_related = ["user"]
    readonly_fields = ["token_hash", "delivery", "sent_at", "send_attempts", "retry_at"]
