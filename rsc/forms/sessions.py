import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rsc.forms.identifying import IdentifyingTextMixin
from rsc.lib.dates import date_help
from rsc.models import RIOS_ELEMENTS, Family, FollowUp, RSCGroup, SessionSeries, SupervisionAgreement
from rsc.models.sessions import SupervisionSession

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class SessionTimeForm(forms.Form):
    """When and how: shared by scheduling and rescheduling. Times are in the user's time zone."""

    date = forms.DateField(label=_("Date"), widget=DATE_INPUT, help_text=date_help())
    time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=15, max_value=480, initial=60)
    modality = forms.ChoiceField(label=_("How"), choices=SupervisionSession.Modality.choices)
    location = forms.CharField(
        label=_("Place or video link"),
        max_length=300,
        required=False,
        help_text=_("A room, an address of the office, or a video link. Never a family's address."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if not (add_years(today, -5) <= day <= add_years(today, 5)):
            raise forms.ValidationError(_("Choose a date within five years of today."))
        return day

    def starts_at(self) -> datetime.datetime:
        tz = zoneinfo.ZoneInfo(self.user.time_zone)
        return datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=tz)


class ScheduleForm(SessionTimeForm):
    WITH_CHOICES = [("agreement", _("One person")), ("group", _("A group"))]

    agreement = forms.ModelChoiceField(
        label=_("With"),
        queryset=SupervisionAgreement.objects.none(),
        required=False,
        empty_label=_("Choose a person"),
    )
    group = forms.ModelChoiceField(
        label=_("Or with a group"), queryset=RSCGroup.objects.none(), required=False, empty_label=_("No group")
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        choices=[("", _("Does not repeat")), *SessionSeries.Frequency.choices],
    )
    count = forms.IntegerField(
        label=_("Number of sessions"),
        min_value=2,
        max_value=52,
        required=False,
        help_text=_("How many sessions in the series. Or give an end date instead."),
    )
    until = forms.DateField(label=_("Or repeat until"), required=False, widget=DATE_INPUT, help_text=date_help())

    field_order = ["agreement", "group", "date", "time", "duration_minutes", "modality", "location", "repeat"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Only an agreement both people have acknowledged lets sessions be scheduled under it.
        self.fields["agreement"].queryset = (
            SupervisionAgreement.objects.in_force()
            .filter(organization_id=user.organization_id, supervisor=user, supervisee__is_active=True)
            .select_related("supervisee")
        )
        self.fields["agreement"].label_from_instance = lambda agreement: agreement.supervisee.full_name
        self.fields["group"].queryset = RSCGroup.objects.filter(
            organization_id=user.organization_id, facilitator=user, is_active=True
        )

    def clean(self):
        cleaned = super().clean()
        agreement, group = cleaned.get("agreement"), cleaned.get("group")
        if bool(agreement) == bool(group):
            raise forms.ValidationError(_("Choose either one person you have an agreement with, or one group."))
        repeat, count, until = cleaned.get("repeat"), cleaned.get("count"), cleaned.get("until")
        if repeat and not (count or until):
            self.add_error("count", _("Say how many sessions, or until when."))
        if repeat and count and until:
            self.add_error("until", _("Give a number of sessions or an end date, not both."))
        date = cleaned.get("date")
        if until and date and until < date:
            self.add_error("until", _("The series cannot end before it starts."))
        if until and date and until > date + datetime.timedelta(days=366):
            self.add_error("until", _("Schedule at most a year ahead; you can add more later."))
        if agreement and date and agreement.ends_on and date > agreement.ends_on:
            self.add_error("date", _("The agreement ends on %(date)s.") % {"date": agreement.ends_on})
        if agreement and until and agreement.ends_on and until > agreement.ends_on:
            self.add_error("until", _("The agreement ends on %(date)s.") % {"date": agreement.ends_on})
        if agreement and not agreement.is_active(date) and date:
            self.add_error("date", _("The agreement is not in force on that date."))
        return cleaned


SCOPE_CHOICES = [("this", _("This session only")), ("following", _("This and the following sessions of the series"))]


def scope_field(label) -> forms.ChoiceField:
    """'This only' or 'this and following': offered only for a session of a series."""
    return forms.ChoiceField(label=label, choices=SCOPE_CHOICES, widget=forms.RadioSelect, initial="this")


def drop_scope_outside_series(form: forms.Form, session: SupervisionSession) -> None:
    if not session.series_id:
        del form.fields["scope"]


class RescheduleForm(SessionTimeForm):
    scope = scope_field(_("Apply to"))

    def __init__(self, *args, session: SupervisionSession, **kwargs):
        super().__init__(*args, **kwargs)
        drop_scope_outside_series(self, session)
        if not self.is_bound:
            local = timezone.localtime(session.starts_at, zoneinfo.ZoneInfo(self.user.time_zone))
            self.initial.update(
                date=local.date(),
                time=local.time().replace(second=0, microsecond=0),
                duration_minutes=session.duration_minutes,
                modality=session.modality,
                location=session.location,
            )


class CancelForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("reason",)

    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=300,
        help_text=_("A few words for the record, such as “illness” or “home visit emergency”."),
    )
    scope = scope_field(_("Cancel"))

    def __init__(self, *args, session: SupervisionSession, **kwargs):
        super().__init__(*args, **kwargs)
        drop_scope_outside_series(self, session)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a short reason."))
        return reason


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("The session was"),
        choices=[("held", _("Held")), ("missed", _("Missed"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, session: SupervisionSession, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for participant in participants:
            self.fields[f"attended_{participant.user_id}"] = forms.BooleanField(
                label=participant.user.full_name,
                required=False,
                initial=participant.attendance != participant.Attendance.ABSENT,
            )

    def attendance(self) -> dict[int, str]:
        return {
            participant.user_id: (
                participant.Attendance.ATTENDED
                if self.cleaned_data.get(f"attended_{participant.user_id}")
                else participant.Attendance.ABSENT
            )
            for participant in self.participants
        }


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Session notes"),
        required=False,
        max_length=50000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("The people in the session can read these notes."),
    )
    elements = forms.MultipleChoiceField(
        label=_("Essential elements the conversation touched"),
        choices=RIOS_ELEMENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    sitting = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)


class FollowUpForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("text",)

    text = forms.CharField(label=_("Follow-up"), max_length=500)
    owner = forms.TypedChoiceField(label=_("Who"), coerce=int)
    due_on = forms.DateField(label=_("By when"), required=False, widget=DATE_INPUT, help_text=date_help())
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUp.Kind.choices, initial=FollowUp.Kind.REFLECTIVE)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["owner"].choices = [(person.pk, person.full_name) for person in people]

    def clean_owner(self):
        owner = self.people.get(self.cleaned_data["owner"])
        if owner is None:
            raise forms.ValidationError(_("Choose someone from this session."))
        return owner

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the follow-up in a sentence."))
        return text


class ReopenForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("reason",)

    reason = forms.CharField(
        label=_("Why reopen it?"),
        max_length=300,
        help_text=_("The reason stays in the session's history."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a short reason."))
        return reason


class AgendaItemForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("text",)

    family = forms.ModelChoiceField(
        label=_("A family (optional)"), queryset=Family.objects.none(), required=False, empty_label=_("No family")
    )
    text = forms.CharField(
        label=_("What would you like to think about together?"),
        max_length=500,
        required=False,
        help_text=_("A sentence is enough: a theme, a question, a moment from a visit."),
    )

    def __init__(self, *args, user, session: SupervisionSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None and session.supervisor_id == user.pk:
            # The supervisor names a family only if they may see it now, and only one of the
            # people in this session: everyone in the session reads the agenda.
            self.fields["family"].queryset = (
                Family.objects.visible_to(user)
                .open()
                .filter(practitioners__session_participations__session=session)
                .order_by("code")
            )
            self.fields["family"].help_text = _("Families of the people in this session that you supervise.")
        else:
            # A participant names only their own families.
            self.fields["family"].queryset = Family.objects.editable_by(user).open().order_by("code")

    def clean(self):
        cleaned = super().clean()
        cleaned["text"] = (cleaned.get("text") or "").strip()
        if not cleaned.get("family") and not cleaned["text"]:
            raise forms.ValidationError(_("Choose a family or write a sentence."))
        return cleaned


class SessionReplyForm(IdentifyingTextMixin, forms.Form):
    """A few words under the notes of a held session."""

    identifying_fields = ("text",)

    text = forms.CharField(
        label=_("Your reply"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The people in this session can read it."),
        error_messages={"required": _("Write a few words before sending.")},
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the page may hold other forms with a "text" field.
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)
