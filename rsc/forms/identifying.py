"""The gentle identifying-text check, for every form that saves free text.

A form lists its free-text fields in `identifying_fields`. When one of them holds a passage that
looks identifying (rsc/deidentify.py), the form is not valid yet: nothing is saved, and the page
shows the passages beside the form (templates/includes/identifying.html) with "keep these
passages as they are". Ticking it keeps exactly the passages that were shown; a passage typed
since gets its own warning. Text already saved (kept or typed before these checks) is not
pointed out again on each edit.

Long writing that autosaves (reflections, session notes) saves first and warns beside the text;
the step that shows it to someone else (sharing, signing) waits instead.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rsc.deidentify import Finding, find_identifying

KEEP_FIELD = "keep_identifying"
SHOWN_FIELD = "keep_passage"


@dataclass(frozen=True)
class Flagged:
    """One passage to point out: the label of the field it is in, and the finding."""

    label: str
    finding: Finding


def shown_passages(data) -> set[str]:
    """The passages the person saw in the warning, as the page sent them back."""
    if hasattr(data, "getlist"):
        return set(data.getlist(SHOWN_FIELD))
    value = data.get(SHOWN_FIELD, [])
    return set(value) if isinstance(value, list | tuple) else {value}


def keep_ticked(data) -> bool:
    return str(data.get(KEEP_FIELD, "")).lower() in {"on", "1", "true", "yes"}


def warnings_for(
    texts: list[tuple[str, str]], *, seen: str = "", kept: list[str] | tuple[str, ...] = ()
) -> list[Flagged]:
    """Passages to point out in (label, text) pairs: not those already in `seen` (text saved
    before) nor those the writer chose to keep."""
    found = []
    for label, text in texts:
        for finding in find_identifying(text or ""):
            exact = finding.text or finding.passage
            if finding.passage in kept or exact in kept or (seen and exact in seen):
                continue
            found.append(Flagged(label=str(label), finding=finding))
    return found


class IdentifyingTextMixin:
    """Mix into a Form or ModelForm, before forms.Form in the bases."""

    identifying_fields: tuple[str, ...] = ()
    identifying_message = _("Before saving, take out the passages shown, or keep them as they are.")

    def already_saved(self, name: str) -> str:
        """The field's text as saved before this edit (or as the form offered it to start from);
        its passages were seen already."""
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            return str(getattr(instance, name, "") or "")
        return str(self.initial.get(name) or "")

    def kept_passages(self) -> list[str]:
        return []

    def identifying_warnings(self, cleaned: dict) -> list[Flagged]:
        found = []
        for name in self.identifying_fields:
            text = cleaned.get(name)
            if isinstance(text, str) and text:
                label = self.fields[name].label or name
                found += warnings_for([(label, text)], seen=self.already_saved(name), kept=self.kept_passages())
        if found and keep_ticked(self.data):
            shown = shown_passages(self.data)
            found = [warning for warning in found if warning.finding.passage not in shown]
        return found

    def clean(self):
        cleaned = super().clean()
        self.identifying = self.identifying_warnings(cleaned)
        if self.identifying:
            self.add_error(None, ValidationError(self.identifying_message, code="identifying"))
        return cleaned

    def non_field_errors(self):
        # The passages are shown in their own warning beside the form, not as an error above it.
        errors = super().non_field_errors()
        kept = [error for error in errors.data if getattr(error, "code", None) != "identifying"]
        return self.error_class(kept, error_class="nonfield", renderer=self.renderer)


def has_other_errors(form) -> bool:
    """Whether the form has errors besides passages to look at again."""
    return any(
        getattr(error, "code", None) != "identifying" for errors in form.errors.as_data().values() for error in errors
    )


def form_warnings(*forms_or_formsets) -> list[Flagged]:
    """Every warning of the given bound forms (and the forms of formsets), for one box on the page."""
    found, seen = [], set()
    for item in forms_or_formsets:
        for form in getattr(item, "forms", [item]):
            for warning in getattr(form, "identifying", []):
                if warning.finding.passage not in seen:
                    seen.add(warning.finding.passage)
                    found.append(warning)
    return found


class KeepIdentifyingField(forms.BooleanField):
    """The "keep these passages as they are" box, for forms that declare it themselves."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Keep these passages as they are"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
