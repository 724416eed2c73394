from django import forms
from django.core.exceptions import ValidationError

BIGINT_MAX = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records by id that refuses impossible ids before they reach the
    database (SQLite raises instead of matching nothing for an id past the 64-bit range)."""

    def _check_values(self, value):
        for item in value:
            text = str(item)
            if not text.isdecimal() or int(text) > BIGINT_MAX:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


class NameField(forms.CharField):
    """A name (a person's, an organization's, a group's): one line of plain text.

    Line breaks, tabs and other spacing become single spaces, so a pasted name keeps its words;
    other control and format characters (Unicode Cc and Cf) are dropped. Characters that change the
    direction of text (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) are refused: they can make a
    name read differently in a list or an email from what was stored. The zero-width joiners stay,
    since Persian and Indic names need them to be spelled right.
    """

    DIRECTION_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    JOINERS = frozenset("\u200c\u200d")

    def __init__(self, **kwargs):
        from django.utils.translation import gettext_lazy

        direction = gettext_lazy(
            "Names cannot hold the invisible characters that change the direction of text. "
            "Type the name again, or paste it as plain text."
        )
        kwargs["error_messages"] = {"direction": direction, **(kwargs.get("error_messages") or {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        import unicodedata

        value = super().to_python(value)
        if value in self.empty_values:
            return value
        if not self.DIRECTION_CONTROLS.isdisjoint(value):
            raise ValidationError(self.error_messages["direction"], code="direction")
        kept = (
            " " if character.isspace() else character
            for character in value
            if character.isspace() or character in self.JOINERS or unicodedata.category(character) not in {"Cc", "Cf"}
        )
        return " ".join("".join(kept).split())
