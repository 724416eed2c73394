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
