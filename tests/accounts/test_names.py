"""Names are one line, and emails show them as typed: plain text, never HTML-escaped."""

import re

import pytest
from django import forms
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, User
from rsc.forms.fields import NameField
from tests.conftest import mark_reauthenticated

BIDI_CONTROLS = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"]
BIDI_CONTROLS.append("\u2069")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Casey New", "Casey New"),
        ("  Casey\nNew ", "Casey New"),
        ("Casey\r\n\tNew", "Casey New"),
        ("Casey\u2028New", "Casey New"),  # Unicode's own line separator
        ("Ca\u00adsey\ufeff New\x07", "Casey New"),  # a soft hyphen, a byte-order mark, a bell
        ("Casey\x00 New", "Casey New"),
        ("Smith & Jones <Family Services>", "Smith & Jones <Family Services>"),
        ("Zoë O'Brien-Nakamura 山田", "Zoë O'Brien-Nakamura 山田"),
        ("\u0645\u06cc\u200c\u0631\u0648\u062f", "\u0645\u06cc\u200c\u0631\u0648\u062f"),  # Persian needs its joiner
    ],
)
def test_a_name_field_keeps_one_line(typed, kept):
    assert NameField(max_length=150).clean(typed) == kept


@pytest.mark.parametrize("character", BIDI_CONTROLS)
def test_a_name_field_refuses_characters_that_reorder_text(character):
    with pytest.raises(forms.ValidationError) as refused:
        NameField(max_length=150).clean(f"Casey{character}weN")
    assert refused.value.messages == [
        "Names cannot hold the invisible characters that change the direction of text. "
        "Type the name again, or paste it as plain text."
    ]


def test_a_name_of_only_control_characters_is_missing():
    with pytest.raises(forms.ValidationError, match="required"):
        NameField(max_length=150).clean("\n\t\x07")


def test_an_invitation_name_with_a_line_break_is_saved_on_one_line(admin_client, run_tasks):
    data = {"full_name": "Casey\r\nNew", "email": "casey@riverbend.example", "roles": ["practitioner"]}
    assert admin_client.post(reverse("person_invite"), data).status_code == 302
    assert User.objects.get(email="casey@riverbend.example").full_name == "Casey New"


def test_a_profile_name_that_reverses_text_is_refused(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("profile"), {"full_name": "Pat\u202eeviL", "time_zone": "America/Chicago"})
    assert response.status_code == 200
    assert "change the direction of text" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat Practitioner"


def test_the_organization_name_is_one_line(admin_client, organization):
    data = {
        "name": "Riverbend\nEarly Childhood",
        "time_zone": "America/Chicago",
        "confidentiality_limits": "Limits.",
        "restore_window_days": 30,
    }
    assert admin_client.post(reverse("organization_settings"), data).status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Riverbend Early Childhood"


@pytest.fixture
def operator_client(db):
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    client = Client()
    client.force_login(operator)
    mark_reauthenticated(client, operator)
    return client


def test_the_django_admin_refuses_an_organization_name_that_reverses_text(operator_client):
    response = operator_client.post(
        reverse("admin:accounts_organization_add"),
        {
            "name": "Far\u202eslliH",
            "time_zone": "America/Chicago",
            "confidentiality_limits": "Limits.",
            "restore_window_days": 30,
        },
    )
    assert response.status_code == 200
    assert "change the direction of text" in response.content.decode()
    assert not Organization.objects.filter(name__startswith="Far").exists()


def test_the_django_admin_keeps_a_persons_name_on_one_line(operator_client, practitioner):
    url = reverse("admin:accounts_user_change", args=[practitioner.pk])
    form = operator_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        full_name="Pat\nPractitioner",
        organization=practitioner.organization_id,
        last_login_0="",
        last_login_1="",
        date_joined_0="2026-01-05",
        date_joined_1="09:00:00",
        deactivated_at_0="",
        deactivated_at_1="",
    )
    data = {name: value for name, value in data.items() if value is not False}
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat Practitioner"

    add = operator_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@riverbend.example",
            "full_name": "New\u2067Person",
            "organization": practitioner.organization_id,
            "usable_password": "false",
        },
    )
    assert add.status_code == 200
    assert "change the direction of text" in add.content.decode()


def invitation_email(admin_client, run_tasks, full_name="Casey New"):
    data = {"full_name": full_name, "email": "casey@riverbend.example", "roles": ["practitioner"]}
    assert admin_client.post(reverse("person_invite"), data).status_code == 302
    assert run_tasks() == 1
    [message] = mail.outbox
    return message


def test_an_organization_called_smith_and_jones_is_not_escaped_in_emails(admin_client, organization, run_tasks):
    organization.name = "Smith & Jones <Family Services>"
    organization.save()
    message = invitation_email(admin_client, run_tasks, full_name="Casey O'Brien")
    assert message.subject == "You are invited to Smith & Jones <Family Services> on RSC Records"
    assert "Hello Casey O'Brien," in message.body
    assert "invited to Smith & Jones <Family Services> on RSC Records" in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    assert "&lt;" not in message.body


def test_a_line_break_stored_in_a_name_never_reaches_an_email_header(admin_client, organization, run_tasks):
    # Names saved before forms kept them on one line, or straight into the database.
    organization.name = "Smith &\nJones"
    organization.save()
    data = {"full_name": "Casey", "email": "casey@riverbend.example", "roles": ["practitioner"]}
    admin_client.post(reverse("person_invite"), data)
    User.objects.filter(email="casey@riverbend.example").update(full_name="Casey\nNew")
    assert run_tasks() == 1

    [message] = mail.outbox
    assert message.subject == "You are invited to Smith & Jones on RSC Records"
    assert "Hello Casey New," in message.body
    assert "invited to Smith & Jones on RSC Records" in message.body
    assert "\n" not in str(message.message()["Subject"])
    assert re.search(r"^Subject: You are invited to Smith & Jones on RSC Records$", message.message().as_string(), re.M)
