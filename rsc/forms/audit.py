"""The filters of the audit trail viewer: who, which kind of record, what, and between which days."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from rsc.forms.families import DateInput
from rsc.models import AuditEvent

# Days outside this range are refused with a clear message rather than reaching the
# database (the first and last days a calendar can hold overflow in some time zones).
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, person: User) -> str:
        if not person.is_active:
            return _("%(name)s (deactivated)") % {"name": person.full_name or person.email}
        return person.full_name or person.email


class DayField(forms.DateField):
    widget = DateInput
    default_error_messages = {"invalid": _("Enter a date such as 2026-03-02.")}

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
            )
        return day


class AuditFilterForm(forms.Form):
    person = PersonField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose a person of your organization from the list.")},
    )
    record_type = forms.ChoiceField(
        label=_("Record"),
        required=False,
        choices=[("", _("Any kind of record")), *AuditEvent.RecordType.choices],
        error_messages={"invalid_choice": _("Choose a kind of record from the list.")},
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditEvent.Action.choices],
        error_messages={"invalid_choice": _("Choose an action from the list.")},
    )
    start = DayField(label=_("From"), required=False)
    end = DayField(label=_("To"), required=False)

    FIELDS = ("person", "record_type", "action", "start", "end")

    def __init__(self, *args, people: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people.order_by("full_name", "email")
        for name in self.FIELDS:
            self.fields[name].widget.attrs["class"] = "form-control" if name in ("start", "end") else "form-select"

    def full_clean(self):
        super().full_clean()
        # Django marks a field with errors aria-invalid and points aria-describedby at the
        # message (id "<field id>_error"); Bootstrap needs the class to show it.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                _("The end date is before the start date. Choose a day on or after %(start)s.")
                % {"start": start.isoformat()},
            )
        return cleaned

    @property
    def filtered(self) -> bool:
        return any(self.data.get(name) for name in self.FIELDS)

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events that match the valid filters; call after is_valid()."""
        data = self.cleaned_data
        if data.get("person"):
            events = events.filter(actor=data["person"])
        if data.get("record_type"):
            events = events.filter(record_type=data["record_type"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data.get("start"):
            events = events.filter(at__gte=day_start(data["start"], tz))
        if data.get("end"):
            # Inclusive: everything before the start of the next day.
            events = events.filter(at__lt=day_start(data["end"] + datetime.timedelta(days=1), tz))
        return events

    def summary(self) -> dict:
        """The filters in use, as plain values (for the audit record of an export)."""
        data = self.cleaned_data
        values = {
            "person": data["person"].pk if data.get("person") else None,
            "record_type": data.get("record_type") or None,
            "action": data.get("action") or None,
            "from": data["start"].isoformat() if data.get("start") else None,
            "to": data["end"].isoformat() if data.get("end") else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def day_start(day: datetime.date, tz) -> datetime.datetime:
    """Midnight at the start of `day` in the time zone `tz` (or the first moment after it, on a DST jump)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
