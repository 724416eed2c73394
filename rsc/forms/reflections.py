import functools

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from rsc.forms.fields import BIGINT_MAX, IdsChoiceField
from rsc.forms.identifying import IdentifyingTextMixin
from rsc.lib.dates import written
from rsc.models import Family, SupervisionSession
from rsc.models.reflections import SECTIONS, Reflection
from rsc.services import reflections as services

SECTION_MAX_LENGTH = 20000
CHECKIN_CHOICES = [
    (1, _("1 · Struggling")),
    (2, _("2 · Low")),
    (3, _("3 · Getting by")),
    (4, _("4 · Steady")),
    (5, _("5 · Well")),
]


class SessionChoiceField(forms.ModelChoiceField):
    """A session of the writer's, named from their side: when, and with whom (the group's name for a
    group session, the other person's for an individual one)."""

    reader: User | None = None

    def label_from_instance(self, session: SupervisionSession) -> str:
        when = timezone.localtime(session.starts_at)
        this_year = when.year == timezone.localdate().year
        day = written(when, "weekday_day_month" if this_year else "weekday_date_short")
        if session.group_id:
            return _("%(day)s, %(time)s · group: %(group)s") % {
                "day": day,
                "time": written(when, "time"),
                "group": session.group.name,
            }
        other = session.supervisor
        if self.reader is not None and session.supervisor_id == self.reader.pk and session.agreement_id:
            other = session.agreement.supervisee
        return _("%(day)s, %(time)s · with %(person)s") % {
            "day": day,
            "time": written(when, "time"),
            "person": other.full_name,
        }

    def grouped(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The sessions in two groups, the nearest first in each: the ones coming up (the next one
        at the top, the one most often written for) and the recent ones (the latest at the top)."""
        now = timezone.now()
        sessions = list(self.queryset)
        coming = sorted((s for s in sessions if s.starts_at >= now), key=lambda s: (s.starts_at, s.pk))
        recent = sorted((s for s in sessions if s.starts_at < now), key=lambda s: (s.starts_at, s.pk), reverse=True)
        groups = [(_("Coming up"), coming), (_("Recent"), recent)]
        return [
            (str(label), [(session.pk, self.label_from_instance(session)) for session in items])
            for label, items in groups
            if items
        ]


class ReflectionForm(forms.Form):
    """The whole reflection: what it is about, the private check-in, and every perspective."""

    title = forms.CharField(
        label=_("A few words to find it again"),
        max_length=120,
        required=False,
        help_text=_("Optional. Use the family’s code, never names."),
    )
    family = forms.ModelChoiceField(
        label=_("About the family"), queryset=None, required=False, empty_label=_("No family in particular")
    )
    session = SessionChoiceField(
        label=_("For the session"), queryset=None, required=False, empty_label=_("Not for a particular session")
    )
    checkin_score = forms.TypedChoiceField(
        label=_("How am I doing today?"),
        choices=CHECKIN_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    checkin_words = forms.CharField(label=_("In a word or two"), max_length=60, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    sitting = forms.CharField(widget=forms.HiddenInput, max_length=32, required=False)
    keep_identifying = forms.BooleanField(
        label=_("Keep these passages as they are"),
        required=False,
        help_text=_("Tick this if the passages are not identifying after all, or need to stay."),
    )

    def __init__(self, *args, author: User, reflection: Reflection | None = None, **kwargs):
        self.author = author
        self.reflection = reflection
        super().__init__(*args, **kwargs)
        families = services.families_for_author(author)
        if reflection is not None and reflection.family_id:
            # The family already chosen stays, even once deleted or no longer assigned, so that
            # saving the text does not quietly detach the reflection from it.
            chosen = Family.objects.filter(pk=reflection.family_id, organization_id=author.organization_id)
            families = families | chosen.distinct()
        self.fields["family"].queryset = families
        sessions = services.sessions_for_author(author)
        if reflection is not None and reflection.session_id:
            # The session already chosen stays available, even once it is out of the window.
            sessions = (
                sessions | SupervisionSession.objects.visible_to(author).filter(pk=reflection.session_id)
            ).distinct()
        self.fields["session"].queryset = sessions
        self.fields["session"].reader = author
        for section in SECTIONS:
            self.fields[section.field] = forms.CharField(
                label=section.label,
                required=False,
                strip=False,
                max_length=SECTION_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @functools.cached_property
    def session_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The session chooser's options, "Coming up" and "Recent" (one query, however often shown)."""
        return self.fields["session"].grouped()

    def section_fields(self) -> list[tuple]:
        return [(section, self[section.field]) for section in SECTIONS]

    def clean(self):
        cleaned = super().clean()
        for section in SECTIONS:
            text = cleaned.get(section.field)
            if text is not None:
                # Keep the writing exactly, except invisible whitespace at the very end.
                cleaned[section.field] = text.rstrip()
        return cleaned

    def has_text(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("title", "").strip() or any(data.get(s.field, "").strip() for s in SECTIONS))

    def data_for_save(self) -> dict:
        fields = [*(section.field for section in SECTIONS), *services.META_FIELDS]
        return {field: self.cleaned_data[field] for field in fields if field in self.cleaned_data}


class ShareForm(forms.Form):
    supervisors = IdsChoiceField(
        label=_("Share with"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person to share with.")},
    )
    baby_words = forms.CharField(
        label=_("A few words about the baby (optional)"),
        required=False,
        max_length=SECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    keep_identifying = forms.BooleanField(label=_("Keep these passages as they are"), required=False)

    def __init__(self, *args, reflection: Reflection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = services.supervisors_for_sharing(reflection)


class UnshareForm(forms.Form):
    supervisor = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)


class ResponseForm(IdentifyingTextMixin, forms.Form):
    identifying_fields = ("text",)

    text = forms.CharField(
        label=_("Your response"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a few words before sending.")},
    )


class ResponseDraftForm(forms.Form):
    """A response being written: whatever is typed so far, even nothing, kept exactly."""

    text = forms.CharField(max_length=ResponseForm.base_fields["text"].max_length, required=False, strip=False)


class SearchForm(forms.Form):
    SHOW_CHOICES = [("all", _("All")), ("mine", _("Mine")), ("shared", _("Shared with me"))]
    STATE_CHOICES = [("", _("Any")), ("draft", _("Private drafts")), ("shared", _("Shared"))]

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    show = forms.ChoiceField(label=_("Whose"), choices=SHOW_CHOICES, required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
