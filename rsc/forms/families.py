"""Forms for families: the family itself, its children and caregivers, closing, and the list filters."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from rsc.deidentify import DESCRIPTIONS, Finding, code_looks_like_a_name, label_is_a_first_name
from rsc.forms.fields import IdsChoiceField
from rsc.forms.identifying import Flagged, IdentifyingTextMixin, keep_ticked, shown_passages
from rsc.lib.dates import date_help
from rsc.models import Caregiver, Child, Family
from rsc.models.families import PLAUSIBLE_YEARS, earliest_plausible_date

# How far a birth month may reach: early childhood is birth to eight, and a
# pregnancy is known at most about ten months ahead.
BORN_MONTHS_BACK = 8 * 12
EXPECTED_MONTHS_AHEAD = 10
# Each save adds at most this many new rows; the next edit offers more.
EXTRA_ROWS = 3
MAX_ROWS = 20


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.Field):
    """A month and year, stored as the first day of that month.

    Browsers with a month picker send "2024-05"; the others show a text box,
    where "2024-05", "2024-5" and "05/2024" are all understood.
    """

    widget = MonthInput
    default_error_messages = {"invalid": _("Enter the month and year, such as 2024-05.")}
    PATTERNS = (
        re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
        re.compile(r"^(?P<month>\d{1,2})/(?P<year>\d{4})$"),
    )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        text = str(value).strip()
        for pattern in self.PATTERNS:
            match = pattern.match(text)
            if match and 1 <= int(match["month"]) <= 12 and int(match["year"]) >= 1900:
                return datetime.date(int(match["year"]), int(match["month"]), 1)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ColleaguesField(IdsChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, person: User) -> str:
        return person.full_name


class FamilyForm(forms.ModelForm):
    colleagues = ColleaguesField(
        queryset=User.objects.none(),
        required=False,
        label=_("Other practitioners working with this family"),
        help_text=_("You are assigned automatically. Anyone you add here can read and change this record too."),
    )

    class Meta:
        model = Family
        fields = ["code", "context", "opened_on"]
        widgets = {"opened_on": DateInput}
        labels = {"opened_on": _("Opened on")}
        help_texts = {"opened_on": date_help(_("The day you started working with this family."))}
        error_messages = {
            "code": {"required": _("Give the family a short code, such as “JM-2”.")},
            "context": {"required": _("Choose the kind of service you offer this family.")},
            "opened_on": {"required": _("Enter the day you started, such as 2026-03-02.")},
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.instance.pk:
            self.initial.setdefault("opened_on", timezone.localdate())
        colleagues = User.objects.filter(
            organization_id=user.organization_id, is_practitioner=True, is_active=True, invitation_accepted=True
        )
        if self.instance.pk:
            # People already assigned stay listed (and ticked) even if their role changed since.
            assigned = self.instance.practitioners.all()
            colleagues = colleagues | User.objects.filter(pk__in=assigned.values("pk"))
            self.initial.setdefault("colleagues", [person.pk for person in assigned if person.pk != user.pk])
        self.fields["colleagues"].queryset = colleagues.exclude(pk=user.pk).distinct().order_by("full_name", "email")
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if code_looks_like_a_name(code):
            raise forms.ValidationError(
                _(
                    "“%(code)s” reads like a person’s name. Use a code that could not identify the family, "
                    "such as “Blue 7” or “ML-4”."
                ),
                params={"code": code},
                code="looks_like_a_name",
            )
        duplicates = Family.objects.editable_by(self.user).filter(code__iexact=code)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(
                _("You already have a family with the code “%(code)s”. Add something to tell them apart."),
                params={"code": code},
            )
        return code

    def clean_opened_on(self) -> datetime.date:
        opened_on = self.cleaned_data["opened_on"]
        if opened_on > timezone.localdate():
            raise forms.ValidationError(_("The opening date can't be in the future. Use the day you first met."))
        if opened_on < earliest_plausible_date():
            raise forms.ValidationError(
                _("Check the year: the opening date can't be more than %(years)d years ago."),
                params={"years": PLAUSIBLE_YEARS},
            )
        if self.instance.closed_on and opened_on > self.instance.closed_on:
            raise forms.ValidationError(
                _("This family was closed on %(closed)s; the opening date has to be on or before that."),
                params={"closed": self.instance.closed_on.isoformat()},
            )
        return opened_on


class RowForm(IdentifyingTextMixin, forms.ModelForm):
    """One row of children or caregivers.

    A new row may stay blank (the formset skips it), so its fields are not marked as required:
    what each row needs is said in words, and asked for only once the row is used. A label that is
    just a common first name ("Sofia") gets the same gentle warning as other identifying text.
    """

    # The fields a used row must have; on a blank new row they are not marked required (the page says
    # what each row needs above the rows).
    needed_in_a_row: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for name in self.needed_in_a_row:
                self.fields[name].required = False

    def clean(self):
        # A blank new row is skipped (in the formset it is not even cleaned); one that holds something
        # needs what the page says.
        if self.instance.pk is None and self.has_changed():
            for name in self.needed_in_a_row:
                if name not in self.errors and self.cleaned_data.get(name) in (None, ""):
                    self.add_error(name, self.fields[name].error_messages["required"])
        return super().clean()

    def identifying_warnings(self, cleaned: dict) -> list[Flagged]:
        found = super().identifying_warnings(cleaned)
        label = (cleaned.get("label") or "").strip()
        if label and label != self.already_saved("label").strip() and label_is_a_first_name(label):
            warning = Flagged(
                label=str(self.fields["label"].label),
                finding=Finding(
                    kind="first_name", description=gettext(DESCRIPTIONS["first_name"]), passage=label, text=label
                ),
            )
            if not (keep_ticked(self.data) and label in shown_passages(self.data)):
                found.append(warning)
        return found


class ChildForm(RowForm):
    identifying_fields = ("label",)
    needed_in_a_row = ("label", "birth_month")

    birth_month = MonthField(
        label=_("Birth month"),
        help_text=_("Month and year only, such as 2024-05. For a baby on the way, the expected month."),
        error_messages={"required": _("Add the month and year of birth, or the expected month.")},
    )

    class Meta:
        model = Child
        fields = ["label", "birth_month", "expected"]
        labels = {"expected": _("Not born yet")}
        error_messages = {"label": {"required": _("Add initials or a nickname for this child.")}}

    def clean(self):
        cleaned = super().clean()
        month, expected = cleaned.get("birth_month"), cleaned.get("expected")
        # The date rules apply to what is typed now; an unchanged record saved
        # long ago (an expected month that has since passed) does not block an edit.
        if month is None or not ({"birth_month", "expected"} & set(self.changed_data)):
            return cleaned
        now = this_month()
        if expected:
            if month < add_months(now, -1):
                self.add_error(
                    "birth_month",
                    _("That month has passed. If the baby has arrived, untick “Not born yet” and use the birth month."),
                )
            elif month > add_months(now, EXPECTED_MONTHS_AHEAD):
                self.add_error(
                    "birth_month",
                    _("Use an expected month within the next %(count)d months.") % {"count": EXPECTED_MONTHS_AHEAD},
                )
        elif month > now:
            self.add_error("birth_month", _("That month hasn't come yet. For a baby on the way, tick “Not born yet”."))
        elif month < add_months(now, -BORN_MONTHS_BACK):
            self.add_error(
                "birth_month",
                _("These records are for young children, up to eight years old. Check the year: is it right?"),
            )
        return cleaned


class CaregiverForm(RowForm):
    identifying_fields = ("label", "notes")
    needed_in_a_row = ("relationship",)

    class Meta:
        model = Caregiver
        fields = ["relationship", "label", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"label": _("Not a name; something like “M” is enough.")}
        error_messages = {"relationship": {"required": _("Choose how this caregiver is related to the child.")}}


class RowFormSet(forms.BaseInlineFormSet):
    """Rows of children or caregivers; blank extra rows are left out."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove from this record")

    @property
    def more_rows_open(self) -> bool:
        """Whether the folded-away extra rows hold something typed, so they must be shown."""
        return any(form.is_bound and form.has_changed() for form in self.extra_forms[1:])

    def changes(self) -> tuple[list[dict], list[int]]:
        """What to save, as plain data: changed or new rows (with their pk, if any) and pks to remove."""
        rows, removed = [], []
        for form in self.forms:
            pk = form.instance.pk
            if form.cleaned_data.get("DELETE"):
                if pk:
                    removed.append(pk)
            elif form.has_changed():
                rows.append({"pk": pk, **{name: form.cleaned_data[name] for name in form._meta.fields}})
        return rows, removed


def _row_formset(form):
    return forms.inlineformset_factory(
        Family,
        form.Meta.model,
        form=form,
        formset=RowFormSet,
        extra=EXTRA_ROWS,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS + EXTRA_ROWS,
    )


ChildFormSet = _row_formset(ChildForm)
CaregiverFormSet = _row_formset(CaregiverForm)


class FamilyCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"),
        widget=DateInput,
        help_text=date_help(),
        error_messages={"required": _("Enter the day the work ended.")},
    )

    def __init__(self, *args, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family
        self.initial.setdefault("closed_on", timezone.localdate())

    def clean_closed_on(self) -> datetime.date:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on < self.family.opened_on:
            raise forms.ValidationError(
                _("This family was opened on %(opened)s; the closing date can't be earlier than that."),
                params={"opened": self.family.opened_on.isoformat()},
            )
        if closed_on > timezone.localdate():
            raise forms.ValidationError(_("The closing date can't be in the future."))
        if closed_on < earliest_plausible_date():
            raise forms.ValidationError(
                _("Check the year: the closing date can't be more than %(years)d years ago."),
                params={"years": PLAUSIBLE_YEARS},
            )
        return closed_on


class FamilyFilterForm(forms.Form):
    OPEN, CLOSED, ALL = "open", "closed", "all"
    DEFAULTS = {"q": "", "state": OPEN, "context": ""}

    q = forms.CharField(label=_("Family code"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[(OPEN, _("Open families")), (CLOSED, _("Closed families")), (ALL, _("All families"))],
    )
    context = forms.ChoiceField(
        label=_("Service context"), required=False, choices=[("", _("Any context")), *Family.Context.choices]
    )

    def clean_state(self) -> str:
        return self.cleaned_data["state"] or self.OPEN
