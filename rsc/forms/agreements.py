"""Forms for supervision agreements and RSC groups.

They validate and normalise only; the writes happen in rsc.services.agreements.
Plain forms rather than model forms, so that a bound form never changes the
agreement it edits before the service has compared old and new terms.
"""

import datetime
import hashlib

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User, UserQuerySet
from rsc.forms.fields import IdsChoiceField
from rsc.forms.identifying import IdentifyingTextMixin
from rsc.lib.dates import date_help, written
from rsc.models.agreements import Cadence, Format, RSCGroup, SupervisionAgreement
from rsc.models.families import PLAUSIBLE_YEARS, years_from

MIN_MINUTES = 15
MAX_MINUTES = 240


class Status:
    ACTIVE = "active"
    UPCOMING = "upcoming"
    ENDED = "ended"
    ALL = "all"

    CHOICES = [
        (ACTIVE, _("Active now")),
        (UPCOMING, _("Starting later")),
        (ENDED, _("Ended")),
        (ALL, _("All agreements")),
    ]


def limits_digest(text: str) -> str:
    """A short fingerprint of the confidentiality text a person is shown.

    Acknowledging sends it back, so that a text changed by an administrator
    while someone was reading is not acknowledged unseen.
    """
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def normalise_newlines(text: str) -> str:
    # Browsers send CRLF; storing one kind of line break keeps "did the text
    # change?" honest when the same words come back from another browser.
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person: User) -> str:
        return person_label(person)


class PeopleChoiceField(IdsChoiceField):
    def label_from_instance(self, person: User) -> str:
        return person_label(person)


def person_label(person: User) -> str:
    if not person.is_active:
        return _("%(name)s (deactivated)") % {"name": person.full_name}
    if not person.invitation_accepted:
        return _("%(name)s (invited)") % {"name": person.full_name}
    return person.full_name


def plausible_date(day: datetime.date, what) -> datetime.date:
    """Refuse a start or end more than PLAUSIBLE_YEARS from today: a mistyped year, not a plan."""
    today = timezone.localdate()
    if not (years_from(today, -PLAUSIBLE_YEARS) <= day <= years_from(today, PLAUSIBLE_YEARS)):
        raise forms.ValidationError(
            _("Check the year: %(what)s has to be within %(years)d years of today."),
            params={"what": what, "years": PLAUSIBLE_YEARS},
        )
    return day


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=Status.CHOICES)

    def status_value(self) -> str:
        if self.is_valid() and self.cleaned_data["status"]:
            return self.cleaned_data["status"]
        return Status.ACTIVE

    def query_value(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class AgreementTermsForm(IdentifyingTextMixin, forms.Form):
    """The terms an administrator can change after the agreement is made."""

    identifying_fields = ("confidentiality_limits", "emergency_contact")

    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=DateInput(),
        help_text=date_help(),
        error_messages={"required": _("Enter the first day of the agreement.")},
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=date_help(_("Leave empty when no end is planned. You can end the agreement at any time.")),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=Format.choices, initial=Format.INDIVIDUAL, widget=forms.RadioSelect
    )
    cadence = forms.ChoiceField(label=_("How often"), choices=Cadence.choices, initial=Cadence.FORTNIGHTLY)
    usual_minutes = forms.IntegerField(
        label=_("Usual length in minutes"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        initial=60,
        help_text=_("Often 60 minutes one-to-one, or about 120 minutes for a group."),
    )
    counts_toward_endorsement = forms.BooleanField(
        label=_("These hours count toward endorsement"),
        required=False,
        initial=True,
        help_text=_("Untick if this supervision does not meet the rules of the practitioner's endorsement."),
    )
    confidentiality_limits = forms.CharField(
        label=_("Limits of confidentiality"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the limits of confidentiality both people agree to.")},
        help_text=_(
            "Both people read and acknowledge this text. It starts from your organization's wording; "
            "adjust it for this agreement if you need to."
        ),
    )

    emergency_contact = forms.CharField(
        label=_("Whom to call in an emergency"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The agency's own contact for a safety concern or imminent risk, such as the on-call line; never a "
            "family's. It starts from your organization's settings. Changing it later does not ask for new "
            "acknowledgements."
        ),
    )

    def __init__(self, *args, agreement: SupervisionAgreement | None = None, **kwargs):
        self.agreement = agreement
        super().__init__(*args, **kwargs)

    def clean_confidentiality_limits(self) -> str:
        return normalise_newlines(self.cleaned_data["confidentiality_limits"])

    def clean_emergency_contact(self) -> str:
        return normalise_newlines(self.cleaned_data["emergency_contact"])

    def clean_starts_on(self) -> datetime.date:
        return plausible_date(self.cleaned_data["starts_on"], _("the start date"))

    def clean_ends_on(self) -> datetime.date | None:
        ends_on = self.cleaned_data["ends_on"]
        return ends_on and plausible_date(ends_on, _("the end date"))

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        elif starts_on and self.agreement is not None:
            self._refuse_overlap(self.agreement.supervisor, self.agreement.supervisee, starts_on, ends_on)
        return cleaned

    def _refuse_overlap(self, supervisor: User, supervisee: User, starts_on, ends_on) -> None:
        """Two agreements of the same pair at the same time would make sessions and hours ambiguous."""
        overlapping = SupervisionAgreement.objects.filter(
            organization_id=supervisor.organization_id, supervisor=supervisor, supervisee=supervisee
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=ends_on)
        if self.agreement is not None:
            overlapping = overlapping.exclude(pk=self.agreement.pk)
        if overlapping.exists():
            self.add_error(
                None,
                _(
                    "%(supervisor)s and %(supervisee)s already have an agreement for some of these dates. "
                    "End or change that one first."
                )
                % {"supervisor": supervisor.full_name, "supervisee": supervisee.full_name},
            )


class AgreementCreateForm(AgreementTermsForm):
    supervisor = PersonChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        empty_label=_("Choose a supervisor"),
        help_text=_("The person who provides reflective supervision/consultation."),
        error_messages={
            "required": _("Choose the supervisor."),
            "invalid_choice": _(
                "Choose a supervisor from the list: an active person of your organization with the supervisor role."
            ),
        },
    )
    supervisee = PersonChoiceField(
        label=_("Supervisee"),
        queryset=User.objects.none(),
        empty_label=_("Choose a supervisee"),
        help_text=_("The practitioner or supervisor who receives it."),
        error_messages={
            "required": _("Choose the supervisee."),
            "invalid_choice": _(
                "Choose a supervisee from the list: an active practitioner or supervisor of your organization."
            ),
        },
    )

    field_order = ["supervisor", "supervisee"]

    def __init__(self, *args, people: UserQuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        available = people.filter(is_active=True).order_by("full_name", "email")
        self.fields["supervisor"].queryset = available.filter(is_supervisor=True)
        self.fields["supervisee"].queryset = available.filter(Q(is_practitioner=True) | Q(is_supervisor=True))

    def clean(self):
        cleaned = super().clean()
        supervisor, supervisee = cleaned.get("supervisor"), cleaned.get("supervisee")
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if supervisor and supervisee and supervisor == supervisee:
            self.add_error("supervisee", _("Choose someone other than the supervisor."))
        elif supervisor and supervisee and starts_on and not self.has_error("ends_on"):
            self._refuse_overlap(supervisor, supervisee, starts_on, ends_on)
        return cleaned


class AgreementEndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day of the agreement"),
        widget=DateInput(),
        help_text=date_help(),
        error_messages={"required": _("Enter the last day of the agreement.")},
    )

    def __init__(self, *args, agreement: SupervisionAgreement, **kwargs):
        self.agreement = agreement
        kwargs.setdefault("initial", {"ends_on": max(timezone.localdate(), agreement.starts_on)})
        super().__init__(*args, **kwargs)

    def clean_ends_on(self) -> datetime.date:
        ends_on = plausible_date(self.cleaned_data["ends_on"], _("the last day"))
        if ends_on < self.agreement.starts_on:
            raise forms.ValidationError(
                _("The agreement started on %(date)s; choose that day or a later one.")
                % {"date": written(self.agreement.starts_on, "date")}
            )
        return ends_on


class AcknowledgeForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput, max_length=64)


class GroupForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("name",)

    name = forms.CharField(
        label=_("Name of the group"), max_length=100, error_messages={"required": _("Give the group a name.")}
    )
    facilitator = PersonChoiceField(
        label=_("Facilitator"),
        queryset=User.objects.none(),
        empty_label=_("Choose a facilitator"),
        help_text=_("The supervisor or consultant who leads the group."),
        error_messages={
            "required": _("Choose the facilitator."),
            "invalid_choice": _(
                "Choose a facilitator from the list: an active person of your organization with the supervisor role."
            ),
        },
    )
    members = PeopleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Groups usually have five to eight members."),
        error_messages={
            "invalid_choice": _(
                "Choose members from the list: active practitioners and supervisors of your organization."
            ),
            "invalid_pk_value": _("Choose members from the list."),
        },
    )
    is_active = forms.BooleanField(
        label=_("This group meets currently"),
        required=False,
        initial=True,
        help_text=_("Untick when the group stops meeting; its records stay."),
    )

    def __init__(
        self, *args, organization: Organization, people: UserQuerySet, group: RSCGroup | None = None, **kwargs
    ):
        self.organization = organization
        self.group = group
        super().__init__(*args, **kwargs)
        # People already in the group stay listed even if they were deactivated
        # since, so that saving the group does not silently drop them.
        current_members = Q(pk__in=group.members.values("pk")) if group else Q(pk__in=[])
        current_facilitator = Q(pk=group.facilitator_id) if group else Q(pk__in=[])
        self.fields["facilitator"].queryset = people.filter(
            Q(is_active=True, is_supervisor=True) | current_facilitator
        ).order_by("full_name", "email")
        self.fields["members"].queryset = people.filter(
            Q(is_active=True) & (Q(is_practitioner=True) | Q(is_supervisor=True)) | current_members
        ).order_by("full_name", "email")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the group a name."))
        return name

    def clean(self):
        cleaned = super().clean()
        facilitator, members, name = cleaned.get("facilitator"), cleaned.get("members"), cleaned.get("name")
        if facilitator and members and facilitator in members:
            self.add_error(
                "members",
                _("%(name)s facilitates the group; untick them as a member.") % {"name": facilitator.full_name},
            )
        if name:
            taken = RSCGroup.objects.filter(organization=self.organization, name__iexact=name)
            if self.group is not None:
                taken = taken.exclude(pk=self.group.pk)
            if taken.exists():
                self.add_error("name", _("Another group already has this name."))
        return cleaned
