from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.time_zones import TimeZoneField
from rsc.forms.fields import NameField
from rsc.forms.identifying import IdentifyingTextMixin

ROLE_HELP = {
    User.Role.PRACTITIONER: _("Serves families, receives reflective supervision, writes reflections."),
    User.Role.SUPERVISOR: _("Provides reflective supervision/consultation to practitioners and groups."),
    User.Role.ADMINISTRATOR: _("Invites people, assigns roles and agreements, sets organization policies."),
}


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", User.Role.choices)
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("help_text", _("A person may hold several roles."))
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(**kwargs)


class InviteForm(forms.Form):
    full_name = NameField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    roles = RolesField()

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the person's name."))
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        # Email addresses are unique across the whole site, so this check can
        # reveal that an address is in use elsewhere; an administrator needs
        # that to understand why an invitation cannot be sent.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this email address already has an account."))
        return email


class RolesForm(forms.Form):
    roles = RolesField()

    def __init__(self, *args, person: User, acting_user: User, **kwargs):
        self.person = person
        self.acting_user = acting_user
        super().__init__(*args, **kwargs)

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if self.person.pk == self.acting_user.pk and User.Role.ADMINISTRATOR not in roles:
            raise forms.ValidationError(
                _("You cannot remove your own administrator role. Ask another administrator to do it.")
            )
        return roles


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *User.Status.choices])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *User.Role.choices])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"), help_text=_("Session times are shown in this time zone."))

    class Meta:
        model = User
        fields = ["full_name", "time_zone"]
        field_classes = {"full_name": NameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].keep(self.instance.time_zone)

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name


class OrganizationSettingsForm(IdentifyingTextMixin, forms.ModelForm):
    # The starting text of every agreement: an emergency contact belongs to the agency, never a family.
    identifying_fields = ("confidentiality_limits", "emergency_contact")

    time_zone = TimeZoneField(
        label=_("Default time zone"), help_text=_("New people start with this time zone; each can change their own.")
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "time_zone",
            "require_mfa",
            "confidentiality_limits",
            "emergency_contact",
            "purge_after_family_closed_years",
            "purge_after_person_left_years",
            "restore_window_days",
        ]
        field_classes = {"name": NameField}
        widgets = {"emergency_contact": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].keep(self.instance.time_zone)
        # The model's limits (its validators), for the browser too: the form field alone says min 0.
        for name, most in [
            ("purge_after_family_closed_years", 100),
            ("purge_after_person_left_years", 100),
            ("restore_window_days", 3650),
        ]:
            self.fields[name].widget.attrs.update(min=1, max=most)
        window = self.fields["restore_window_days"]
        # Left empty, the window goes back to the usual length rather than refusing the whole form.
        window.required = False
        window.help_text = _("%(help)s Left empty, it is %(days)d days.") % {
            "help": window.help_text,
            "days": Organization._meta.get_field("restore_window_days").default,
        }

    def clean_restore_window_days(self) -> int:
        days = self.cleaned_data.get("restore_window_days")
        return Organization._meta.get_field("restore_window_days").default if days is None else days


class SetPasswordForm(forms.Form):
    """Choosing a first password from an invitation link."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            try:
                password_validation.validate_password(password1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
