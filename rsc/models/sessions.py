"""RSC sessions: scheduled, held (or not), documented by the supervisor, signed."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rsc.models.agreements import RIOS_ELEMENTS


class SessionSeries(models.Model):
    """Occurrences scheduled together; editing 'this and following' works within one series."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("repeats"), max_length=16, choices=Frequency.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = _("session series")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} #{self.pk}"


class SessionQuerySet(models.QuerySet):
    def alive(self) -> "SessionQuerySet":
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user) -> "SessionQuerySet":
        """Sessions a person may read: those they lead and those they take part in."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return (
            self.alive()
            .filter(organization_id=user.organization_id)
            .filter(Q(supervisor=user) | Q(participants__user=user))
            .distinct()
        )

    def led_by(self, user) -> "SessionQuerySet":
        """Sessions a supervisor may change: their own."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return self.alive().filter(organization_id=user.organization_id, supervisor=user)

    def upcoming(self) -> "SessionQuerySet":
        return self.filter(status=SupervisionSession.Status.SCHEDULED, starts_at__gte=timezone.now())

    def awaiting_documentation(self) -> "SessionQuerySet":
        return self.filter(status=SupervisionSession.Status.HELD, signed_at__isnull=True)

    def held(self) -> "SessionQuerySet":
        return self.filter(status=SupervisionSession.Status.HELD)

    def attended_by(self, user) -> "SessionQuerySet":
        """Sessions a person takes part in (not those they lead)."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return self.alive().filter(organization_id=user.organization_id, participants__user=user)

    def signed_since_seen_by(self, user) -> "SessionQuerySet":
        """Sessions the person takes part in whose notes were signed since they last opened them
        (SessionParticipant.notes_seen_at). One join: the person's own participant row."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        unseen = Q(participants__notes_seen_at__isnull=True) | Q(participants__notes_seen_at__lt=F("signed_at"))
        # In one filter() call, so that both conditions are about the same participant row.
        return self.alive().filter(
            Q(participants__user=user) & unseen, organization_id=user.organization_id, signed_at__isnull=False
        )


class SupervisionSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        MISSED = "missed", _("Missed")

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")
        PHONE = "phone", _("Phone")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="sessions_led"
    )
    agreement = models.ForeignKey(
        "rsc.SupervisionAgreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    group = models.ForeignKey(
        "rsc.RSCGroup",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    series = models.ForeignKey(SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    modality = models.CharField(_("how"), max_length=16, choices=Modality.choices, default=Modality.IN_PERSON)
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    notes = models.TextField(_("session notes"), blank=True, max_length=50000)
    notes_version = models.PositiveIntegerField(default=0)
    # Passages of the notes the writer chose to keep although they looked identifying.
    notes_kept_passages = models.JSONField(default=list, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["supervisor", "starts_at"], name="rsc_session_supervisor"),
            models.Index(fields=["organization", "status", "starts_at"], name="rsc_session_org_status"),
            models.Index(fields=["series", "starts_at"], name="rsc_session_series"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agreement__isnull=False) & Q(group__isnull=True))
                | (Q(agreement__isnull=True) & Q(group__isnull=False)),
                name="rsc_session_agreement_or_group",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="rsc_session_min_length"),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(status="held"), name="rsc_session_only_held_signed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("session_detail", args=[self.pk])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_group(self) -> bool:
        return self.group_id is not None

    @property
    def title(self) -> str:
        if self.group_id:
            return self.group.name
        return str(self.agreement.supervisee)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_past(self) -> bool:
        return self.starts_at < timezone.now()


class SessionParticipant(models.Model):
    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_participations")
    attendance = models.CharField(max_length=16, choices=Attendance.choices, default=Attendance.UNKNOWN)
    # When this participant last opened the session after its notes were signed: until then their
    # home page points out the signed notes.
    notes_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="rsc_participant_unique")]
        indexes = [models.Index(fields=["user", "session"], name="rsc_participant_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.session_id}"


class AgendaItem(models.Model):
    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="agenda_items")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(
        "rsc.Family",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    text = models.CharField(_("what you would like to bring"), max_length=500, blank=True)
    # The agenda is set together: either person may move an item up or down.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(family__isnull=False) | ~Q(text=""), name="rsc_agenda_family_or_text"),
        ]

    def __str__(self) -> str:
        return self.text or str(self.family)

    @property
    def label(self) -> str:
        """What to call the item in a button's name: its words, else its family's code (never the
        code of a family that has since been removed)."""
        if self.text:
            return self.text
        if self.family_id and self.family.deleted_at is None:
            return self.family.code
        return str(_("a family that has since been removed"))


class SessionElement(models.Model):
    """A RIOS essential element the conversation touched."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="elements")
    element = models.CharField(max_length=32, choices=RIOS_ELEMENTS)

    class Meta:
        ordering = ["element"]
        constraints = [models.UniqueConstraint(fields=["session", "element"], name="rsc_session_element_unique")]

    def __str__(self) -> str:
        return self.get_element_display()


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        REFLECTIVE = "reflective", _("Reflective")
        ADMINISTRATIVE = "administrative", _("Administrative")
        SAFETY = "safety", _("Safety")

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(_("follow-up"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REFLECTIVE)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at"], name="rsc_followup_owner_open")]

    def __str__(self) -> str:
        return self.text

    @property
    def needs_agency_process(self) -> bool:
        return self.kind in {self.Kind.SAFETY, self.Kind.ADMINISTRATIVE}


class SessionReply(models.Model):
    """A short thread under the session's notes: the people in the session answer them. Read by
    those who may read the notes (the supervisor and the participants), and no one else."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("reply"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["session", "created_at"], name="rsc_session_reply_thread")]

    def __str__(self) -> str:
        return f"Reply {self.pk} on session {self.session_id}"


class SessionNoteVersion(models.Model):
    """Each saved version of the notes, so earlier wording stays readable."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="note_versions")
    number = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    # One page of editing: its autosaves refine one version instead of adding many.
    sitting = models.CharField(max_length=32, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="rsc_note_version_unique")]

    def __str__(self) -> str:
        return f"Version {self.number} of session {self.session_id}"


class SessionEvent(models.Model):
    """The history of a session: scheduling, changes, cancellation, signature, reopening."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Marked held")
        MISSED = "missed", _("Marked missed")
        SIGNED = "signed", _("Signed")
        REOPENED = "reopened", _("Reopened")

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
