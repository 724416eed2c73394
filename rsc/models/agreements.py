"""Supervision agreements and RSC groups: who provides reflective supervision to whom."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The essential elements named by the Reflective Interaction Observation Scale
# (RIOS™, University of Minnesota with the Minnesota Association for Infant and
# Early Childhood Mental Health and the Alliance for the Advancement of Infant
# Mental Health). Only the names are used, as tags, with attribution.
RIOS_ELEMENTS = [
    ("family_story", _("Understanding the Family Story")),
    ("baby_in_mind", _("Holding the Baby in Mind")),
    ("use_of_self", _("Professional Use of Self")),
    ("parallel_process", _("Parallel Process")),
    ("reflective_alliance", _("Reflective Alliance")),
]


class Format(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    OTHER = "other", _("Other")


class AgreementQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> "AgreementQuerySet":
        """Agreements whose dates include the day (today by default), acknowledged or not."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def in_force(self, on: datetime.date | None = None) -> "AgreementQuerySet":
        """Active on the day and acknowledged by both people: only these grant anything.

        Until both have acknowledged (again, after the terms changed), an agreement gives the
        supervisor no access to the supervisee's families or shared reflections, and no sessions
        can be scheduled under it.
        """
        return self.active(on).filter(
            supervisor_acknowledged_at__isnull=False, supervisee_acknowledged_at__isnull=False
        )

    def involving(self, user) -> "AgreementQuerySet":
        if not (user.is_authenticated and user.organization_id):
            return self.none()
        return self.filter(organization_id=user.organization_id).filter(Q(supervisor=user) | Q(supervisee=user))


class SupervisionAgreement(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="agreements")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="agreements_as_supervisor",
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisee"),
        on_delete=models.PROTECT,
        related_name="agreements_as_supervisee",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.INDIVIDUAL)
    cadence = models.CharField(_("how often"), max_length=16, choices=Cadence.choices, default=Cadence.FORTNIGHTLY)
    usual_minutes = models.PositiveSmallIntegerField(_("usual length in minutes"), default=60)
    counts_toward_endorsement = models.BooleanField(_("hours count toward endorsement"), default=True)
    confidentiality_limits = models.TextField(_("limits of confidentiality"), max_length=4000)
    emergency_contact = models.TextField(_("whom to call in an emergency"), max_length=500, blank=True)
    supervisor_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    supervisee_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision agreement")
        verbose_name_plural = _("supervision agreements")
        ordering = ["-starts_on", "pk"]
        indexes = [
            models.Index(fields=["supervisor", "starts_on", "ends_on"], name="rsc_agreement_supervisor"),
            models.Index(fields=["supervisee", "starts_on", "ends_on"], name="rsc_agreement_supervisee"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(supervisor=models.F("supervisee")), name="rsc_agreement_two_people"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="rsc_agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} – {self.supervisee}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    @property
    def fully_acknowledged(self) -> bool:
        return bool(self.supervisor_acknowledged_at and self.supervisee_acknowledged_at)

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        """The same rule as AgreementQuerySet.in_force, for one agreement."""
        return self.is_active(on) and self.fully_acknowledged

    @property
    def waiting_for(self) -> list:
        """The people whose acknowledgement the agreement still needs, supervisor first."""
        waiting = []
        if not self.supervisor_acknowledged_at:
            waiting.append(self.supervisor)
        if not self.supervisee_acknowledged_at:
            waiting.append(self.supervisee)
        return waiting


class GroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GroupQuerySet":
        if not (user.is_authenticated and user.organization_id):
            return self.none()
        return (
            self.filter(organization_id=user.organization_id).filter(Q(facilitator=user) | Q(members=user)).distinct()
        )


def provides_rsc(*, supervisor, supervisee, on: datetime.date | None = None) -> Q:
    """A condition: `supervisor` provides reflective supervision to `supervisee` now.

    Either an agreement between them is in force, or `supervisor` facilitates an RSC group
    that meets currently with `supervisee` as a member. Either side may be a person, an id or
    an OuterRef, so that one query can ask it of many rows (two EXISTS subqueries, no joins).
    This is what a share needs to stay readable: it ends with the relationship that allowed it.
    """
    agreements = SupervisionAgreement.objects.in_force(on).filter(supervisor=supervisor, supervisee=supervisee)
    groups = RSCGroup.objects.filter(is_active=True, facilitator=supervisor, members=supervisee)
    return Q(Exists(agreements)) | Q(Exists(groups))


class RSCGroup(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="rsc_groups")
    name = models.CharField(_("name"), max_length=100)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.PROTECT,
        related_name="groups_facilitated",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="rsc_groups")
    is_active = models.BooleanField(_("meets currently"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("RSC group")
        verbose_name_plural = _("RSC groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="rsc_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
