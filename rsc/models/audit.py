"""The audit trail: who read or changed which record, when, from where. Append-only.

Metadata only: never the text of a reflection, notes or any other writing. On PostgreSQL
a trigger (migration 0004) refuses UPDATE and DELETE of these rows; here, the model refuses.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        READ = "read", _("Read")
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        SHARE = "share", _("Shared")
        UNSHARE = "unshare", _("Stopped sharing")
        RESPOND = "respond", _("Responded")
        SCHEDULE = "schedule", _("Scheduled")
        CANCEL = "cancel", _("Cancelled")
        ATTENDANCE = "attendance", _("Recorded attendance")
        SIGN = "sign", _("Signed")
        REOPEN = "reopen", _("Reopened")
        CLOSE = "close", _("Closed")
        DELETE = "delete", _("Deleted")
        RESTORE = "restore", _("Restored")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        EXPORT = "export", _("Exported")
        PURGE = "purge", _("Purged")
        # A passage that looked identifying, taken out of the earlier versions too; never the passage.
        REDACT = "redact", _("Removed a passage from earlier versions")
        FOLLOW_UP_DONE = "follow_up_done", _("Marked a follow-up done")
        FOLLOW_UP_UNDONE = "follow_up_undone", _("Marked a follow-up not done yet")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        PASSWORD_CHANGE = "password_change", _("Changed password")
        PASSWORD_RESET = "password_reset", _("Reset password")
        MFA_ADDED = "mfa_added", _("Added two-factor authentication")
        MFA_REMOVED = "mfa_removed", _("Removed two-factor authentication")
        INVITE = "invite", _("Invited")
        INVITATION_ACCEPTED = "invitation_accepted", _("Accepted the invitation")
        ROLE_CHANGE = "role_change", _("Changed roles")
        DEACTIVATE = "deactivate", _("Deactivated")
        REACTIVATE = "reactivate", _("Reactivated")
        SETTINGS_CHANGE = "settings_change", _("Changed settings")
        ACCESS_REFUSED = "access_refused", _("Access refused")

    class RecordType(models.TextChoices):
        REFLECTION = "reflection", _("Reflection")
        SESSION = "session", _("Session")
        FAMILY = "family", _("Family")
        AGREEMENT = "agreement", _("Agreement")
        GROUP = "group", _("Group")
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")
        ACCOUNT = "account", _("Account")
        AUDIT = "audit", _("Audit trail")
        PAGE = "page", _("Page")

    # No database constraints to the people and organizations: the trail outlives them, and
    # deleting them must never need to touch (and so be refused by) an audit row.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # As known at the time: a failed sign-in names the address typed, a person may later change theirs.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    record_type = models.CharField(max_length=32, choices=RecordType.choices, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # Metadata only (ids, role names, counts); never anyone's writing.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-at"], name="rsc_audit_org_at"),
            models.Index(fields=["organization", "actor", "-at"], name="rsc_audit_org_actor"),
            models.Index(fields=["organization", "action", "-at"], name="rsc_audit_org_action"),
            # The audit viewer's filter by kind of record.
            models.Index(fields=["organization", "record_type", "-at"], name="rsc_audit_org_type"),
            models.Index(fields=["record_type", "record_id", "action"], name="rsc_audit_record"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.record_type}:{self.record_id} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")
