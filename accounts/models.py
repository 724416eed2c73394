import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import time_zones


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The time zones offered to people and organizations, grouped (the rule: accounts/time_zones.py)."""
    return time_zones.time_zone_choices()


DEFAULT_CONFIDENTIALITY_LIMITS = _(
    "What we talk about in reflective supervision stays between us, with these exceptions. "
    "If I learn that a child may be abused or neglected, we follow mandated reporting law and the "
    "agency's reporting procedure. If someone is at imminent risk of harm, including you, I will act "
    "to keep them safe and may need to involve others. Safety and administrative concerns that come up "
    "are passed to the agency's own process rather than kept only in these notes."
)


class Organization(models.Model):
    """An agency or program. Every record belongs to one; nobody sees across them."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("default time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        help_text=_("Used for new people until they choose their own."),
    )
    require_mfa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Everyone must set up an authenticator app before they can use RSC Records."),
    )
    confidentiality_limits = models.TextField(
        _("limits of confidentiality"),
        max_length=4000,
        default=DEFAULT_CONFIDENTIALITY_LIMITS,
        help_text=_("The starting text of every new supervision agreement; each agreement can adjust it."),
    )
    emergency_contact = models.TextField(
        _("whom to call in an emergency"),
        max_length=500,
        blank=True,
        help_text=_(
            "The agency's own contact for a safety concern or imminent risk, such as the on-call line. "
            "The starting text of every new agreement; each agreement can adjust it."
        ),
    )
    # Retention (rsc/services/retention.py, run daily by `manage.py apply_retention`). Empty years: never.
    purge_after_family_closed_years = models.PositiveSmallIntegerField(
        _("remove writing about a closed family after (years)"),
        null=True,
        blank=True,
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Counted from the day the family was closed. Then the family, its children and caregivers, the "
            "reflections about it and the agenda items that name it are removed for good. Session dates and "
            "hours stay. Leave empty to keep them as long as the organization uses RSC Records."
        ),
    )
    purge_after_person_left_years = models.PositiveSmallIntegerField(
        _("remove a person's writing after they leave (years)"),
        null=True,
        blank=True,
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Counted from the day the person was deactivated. Then their reflections, responses and agenda "
            "items, and the notes of their individual sessions, are removed for good. The log of their "
            "sessions (dates, lengths, attendance, signatures) stays, so their hours can still be verified. "
            "Leave empty to keep everything."
        ),
    )
    restore_window_days = models.PositiveSmallIntegerField(
        _("days a deleted record can be restored"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Deleted reflections, families and sessions can be brought back for this many days. After that "
            "they are removed for good."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            # A zero would purge on the day of closing, leaving, or deleting: never what anyone means.
            models.CheckConstraint(
                condition=Q(restore_window_days__gte=1)
                & (Q(purge_after_family_closed_years__isnull=True) | Q(purge_after_family_closed_years__gte=1))
                & (Q(purge_after_person_left_years__isnull=True) | Q(purge_after_person_left_years__gte=1)),
                name="accounts_organization_retention_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def in_organization(self, organization: Organization) -> "UserQuerySet":
        return self.filter(organization=organization)

    def with_status(self, status: str) -> "UserQuerySet":
        if status == User.Status.ACTIVE:
            return self.filter(is_active=True, invitation_accepted=True)
        if status == User.Status.INVITED:
            return self.filter(is_active=True, invitation_accepted=False)
        if status == User.Status.DEACTIVATED:
            return self.filter(is_active=False)
        return self

    def with_role(self, role: str) -> "UserQuerySet":
        field = User.ROLE_FIELDS.get(role)
        return self.filter(**{field: True}) if field else self


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    Staff and superusers are site operators and may have no organization;
    everyone else belongs to exactly one.
    """

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", _("Practitioner")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMINISTRATOR = "administrator", _("Account administrator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INVITED = "invited", _("Invited")
        DEACTIVATED = "deactivated", _("Deactivated")

    ROLE_FIELDS = {
        Role.PRACTITIONER: "is_practitioner",
        Role.SUPERVISOR: "is_supervisor",
        Role.ADMINISTRATOR: "is_account_admin",
    }

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    is_practitioner = models.BooleanField(_("practitioner"), default=False)
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    is_account_admin = models.BooleanField(_("account administrator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("site operator"),
        default=False,
        help_text=_("May sign in to the Django admin. Not for people of an organization."),
    )
    invitation_accepted = models.BooleanField(_("invitation accepted"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(is_staff=True),
                name="accounts_user_has_organization_unless_operator",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "is_active", "full_name"], name="accounts_user_org_active"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> list[str]:
        return [role for role, field in self.ROLE_FIELDS.items() if getattr(self, field)]

    @property
    def role_labels(self) -> list[str]:
        return [self.Role(role).label for role in self.roles]

    @property
    def status(self) -> str:
        if not self.is_active:
            return self.Status.DEACTIVATED
        if not self.invitation_accepted:
            return self.Status.INVITED
        return self.Status.ACTIVE

    @property
    def time_zone_label(self) -> str:
        """The person's time zone as people say it: "Chicago (Central time)"."""
        from accounts.time_zones import label_for

        return label_for(self.time_zone)

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> "InvitationQuerySet":
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link that lets an invited person choose a password.

    The email task (accounts/tasks.py) makes the token when it sends the email: only a hash of it
    is stored, and the token itself travels only in the email. Sending a new invitation revokes the
    older ones for the same person.
    """

    class Delivery(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Not sent yet, trying again")
        FAILED = "failed", _("Could not be sent")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    # Empty until the email task has made the link.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(_("email"), max_length=16, choices=Delivery.choices, default=Delivery.SENDING)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("attempts to send"), default=0)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_invitation_user")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery="sent") | Q(sent_at__isnull=False, token_hash__isnull=False),
                name="accounts_invitation_sent_has_link",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.user.email}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_token(cls) -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def default_expiry(cls):
        return timezone.now() + timedelta(days=settings.INVITATION_DAYS)

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()
