"""Families, de-identified: a code, a service context, children known by initials and age."""

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 \-]*$",
    _("Use letters, digits, spaces and hyphens only, such as “JM-2” or “Blue 7”."),
)


# Dates people type (a family's opening and closing, an agreement's start and end) reach at most
# this many years from today: anything further is a slip of the keyboard, or an attempt to age
# records on paper.
PLAUSIBLE_YEARS = 30


def years_from(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later (earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest_plausible_date(today: datetime.date | None = None) -> datetime.date:
    return years_from(today or timezone.localdate(), -PLAUSIBLE_YEARS)


class FamilyQuerySet(models.QuerySet):
    def alive(self) -> "FamilyQuerySet":
        return self.filter(deleted_at__isnull=True)

    def open(self) -> "FamilyQuerySet":
        return self.filter(closed_on__isnull=True)

    def closed(self) -> "FamilyQuerySet":
        return self.filter(closed_on__isnull=False)

    def visible_to(self, user) -> "FamilyQuerySet":
        """Families a person may read: their own, and those of practitioners they supervise now.

        A supervisor sees a family while an agreement with one of its assigned practitioners
        is in force today: active, and acknowledged by both people. Deleted families are never
        visible here.
        """
        from rsc.models.agreements import SupervisionAgreement

        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        supervised = SupervisionAgreement.objects.in_force().filter(
            supervisor=user, supervisee__in=OuterRef("practitioners")
        )
        return (
            self.alive()
            .filter(organization_id=user.organization_id)
            .filter(Q(practitioners=user) | Exists(supervised))
            .distinct()
        )

    def editable_by(self, user) -> "FamilyQuerySet":
        """Families a person may change: only those they are assigned to."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return self.alive().filter(organization_id=user.organization_id, practitioners=user).distinct()


class Family(models.Model):
    class Context(models.TextChoices):
        HOME_VISITING = "home_visiting", _("Home visiting")
        EARLY_INTERVENTION = "early_intervention", _("Early intervention")
        CHILD_CARE = "child_care", _("Child care")
        CHILD_PROTECTION = "child_protection", _("Child protection")
        OTHER = "other", _("Other")

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="families")
    code = models.CharField(
        _("family code or initials"),
        max_length=20,
        validators=[code_validator],
        help_text=_(
            "A short code or initials you will recognise. Never a name, address or date of birth: "
            "these notes stay de-identified so they never become part of a case record."
        ),
    )
    context = models.CharField(_("service context"), max_length=32, choices=Context.choices)
    opened_on = models.DateField(_("opened"), default=datetime.date.today)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # When the family was really closed, by the server's clock, and by whom. Retention counts from
    # this moment, never from the date a person typed (which could be backdated).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    practitioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned practitioners"), related_name="families"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["code", "pk"]
        indexes = [
            models.Index(fields=["organization", "deleted_at", "closed_on"], name="rsc_family_org_state"),
            models.Index(fields=["organization", "code"], name="rsc_family_org_code"),
            # Retention looks for families closed long enough ago.
            models.Index(fields=["organization", "closed_at"], name="rsc_family_org_closed_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="rsc_family_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("family_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Child(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    label = models.CharField(
        _("initials or nickname"),
        max_length=20,
        help_text=_("How you refer to the child in your notes, such as “K” or “Bean”."),
    )
    birth_month = models.DateField(
        _("birth month"),
        help_text=_("Month and year only; for a baby on the way, the expected month."),
    )
    expected = models.BooleanField(_("not born yet"), default=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["birth_month", "pk"]
        constraints = [
            # Only month and year are kept, never a day of birth.
            models.CheckConstraint(condition=Q(birth_month__day=1), name="rsc_child_month_only"),
        ]

    def __str__(self) -> str:
        return self.label

    def age_in_months(self, on: datetime.date | None = None) -> int:
        on = on or timezone.localdate()
        months = (on.year - self.birth_month.year) * 12 + (on.month - self.birth_month.month)
        return months

    def age_text(self, on: datetime.date | None = None) -> str:
        """'14 months', '2 years 3 months', 'due in 6 weeks', 'newborn'."""
        on = on or timezone.localdate()
        if self.expected or self.birth_month > on:
            # Without a day, the middle of the expected month is the best guess.
            due = self.birth_month.replace(day=15)
            weeks = max(0, (due - on).days // 7)
            if weeks == 0:
                return str(_("due now"))
            return ngettext("due in %(count)d week", "due in %(count)d weeks", weeks) % {"count": weeks}
        months = self.age_in_months(on)
        if months < 1:
            return str(_("newborn"))
        if months < 24:
            return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
        years, rest = divmod(months, 12)
        year_text = ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
        if not rest:
            return year_text
        month_text = ngettext("%(count)d month", "%(count)d months", rest) % {"count": rest}
        return f"{year_text} {month_text}"

    @property
    def is_young(self) -> bool:
        """Under three, or not born yet: the ages the baby's perspective is most easily lost."""
        return self.expected or self.age_in_months() < 36


class Caregiver(models.Model):
    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GRANDPARENT = "grandparent", _("Grandparent")
        FOSTER_PARENT = "foster_parent", _("Foster parent")
        KIN = "kin", _("Kin")
        OTHER = "other", _("Other")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="caregivers")
    relationship = models.CharField(_("relationship to the child"), max_length=20, choices=Relationship.choices)
    label = models.CharField(_("initials (optional)"), max_length=20, blank=True)
    notes = models.TextField(
        _("language, culture and context"),
        blank=True,
        max_length=2000,
        help_text=_("What helps you understand this caregiver: languages, traditions, what is going on for them."),
    )

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        ordering = ["pk"]

    def __str__(self) -> str:
        relationship = self.get_relationship_display()
        return f"{relationship} ({self.label})" if self.label else str(relationship)
