import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from tests.conftest import mark_reauthenticated

INVITE = {"full_name": "Casey New", "email": "Casey.New@Riverbend.example", "roles": ["practitioner", "supervisor"]}


def invitation_link(message) -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert match, message.body
    return reverse("invitation_accept", args=[match.group(1)])


def invite(admin_client, django_capture_on_commit_callbacks, data=INVITE):
    with django_capture_on_commit_callbacks(execute=True):
        return admin_client.post(reverse("person_invite"), data)


def test_admin_invites_a_person_who_receives_a_one_time_link(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks)

    person = User.objects.get(email="casey.new@riverbend.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[person.pk])
    assert person.organization == admin_user.organization
    assert person.roles == ["practitioner", "supervisor"]
    assert not person.has_usable_password()
    assert person.status == User.Status.INVITED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["casey.new@riverbend.example"]
    assert "Riverbend Early Childhood" in mail.outbox[0].subject
    # Only a hash of the token is stored.
    token = invitation_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=Invitation.hash_token(token), user=person).exists()


def test_invitation_form_needs_a_role_and_a_new_address(admin_client, admin_user):
    response = admin_client.post(reverse("person_invite"), {"full_name": "X", "email": admin_user.email})
    assert response.status_code == 200
    assert "Choose at least one role." in response.content.decode()
    assert "already has an account" in response.content.decode()
    assert User.objects.count() == 1
    assert len(mail.outbox) == 0


def test_invited_person_chooses_a_password_and_is_signed_in(client, admin_client, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = invitation_link(mail.outbox[0])
    admin_client.logout()

    assert client.get(link).status_code == 200
    response = client.post(link, {"password1": "blue-kite-evening-42", "password2": "blue-kite-evening-42"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    person = User.objects.get(email="casey.new@riverbend.example")
    assert person.check_password("blue-kite-evening-42")
    assert person.status == User.Status.ACTIVE
    home = client.get(reverse("home"))
    assert home.status_code == 200, home
    assert home.context["user"] == person
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404


def test_weak_or_mismatched_passwords_are_refused(client, admin_client, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = invitation_link(mail.outbox[0])
    admin_client.logout()

    response = client.post(link, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    response = client.post(link, {"password1": "blue-kite-evening-42", "password2": "blue-kite-evening-43"})
    assert "not the same" in response.content.decode()
    assert not User.objects.get(email="casey.new@riverbend.example").has_usable_password()


def test_invitation_expires(client, admin_client, django_capture_on_commit_callbacks, settings):
    invite(admin_client, django_capture_on_commit_callbacks)
    link = invitation_link(mail.outbox[0])
    admin_client.logout()

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=1)):
        response = client.get(link)
        assert response.status_code == 404
        assert "no longer works" in response.content.decode()
        response = client.post(link, {"password1": "blue-kite-evening-42", "password2": "blue-kite-evening-42"})
        assert response.status_code == 404
    assert not User.objects.get(email="casey.new@riverbend.example").has_usable_password()


def test_resending_replaces_the_old_link(admin_client, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    person = User.objects.get(email="casey.new@riverbend.example")
    first_link = invitation_link(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("invitation_resend", args=[person.pk]))

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second_link = invitation_link(mail.outbox[1])
    assert first_link != second_link
    admin_client.logout()
    assert admin_client.get(first_link).status_code == 404
    assert admin_client.get(second_link).status_code == 200


def test_unknown_token_answers_404(client, db):
    assert client.get(reverse("invitation_accept", args=["not-a-real-token"])).status_code == 404


def test_deactivating_an_invited_person_revokes_their_link(admin_client, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    person = User.objects.get(email="casey.new@riverbend.example")
    link = invitation_link(mail.outbox[0])
    admin_client.post(reverse("person_deactivate", args=[person.pk]))
    admin_client.logout()
    assert admin_client.get(link).status_code == 404


@pytest.mark.parametrize("persona", ["practitioner", "supervisor"])
def test_only_administrators_can_invite_or_resend(client, request, persona, admin_user):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("person_invite")).status_code == 404
    assert client.post(reverse("person_invite"), INVITE).status_code == 404
    assert client.post(reverse("invitation_resend", args=[admin_user.pk])).status_code == 404
    assert not User.objects.filter(email__iexact=INVITE["email"]).exists()


def test_an_administrator_invites_only_into_their_own_organization(
    client, stranger_admin, organization, django_capture_on_commit_callbacks
):
    client.force_login(stranger_admin)
    mark_reauthenticated(client, stranger_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person_invite"), {**INVITE, "organization": organization.pk})
    person = User.objects.get(email__iexact=INVITE["email"])
    assert person.organization == stranger_admin.organization


def test_resending_for_another_organizations_person_answers_404(client, stranger_admin, practitioner):
    practitioner.invitation_accepted = False
    practitioner.save()
    client.force_login(stranger_admin)
    mark_reauthenticated(client, stranger_admin)
    assert client.post(reverse("invitation_resend", args=[practitioner.pk])).status_code == 404
    assert not Invitation.objects.exists()


def test_site_operator_invites_an_organizations_first_administrator(
    client, organization, django_capture_on_commit_callbacks
):
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    first_admin = User.objects.create_user(
        email="first@riverbend.example",
        full_name="First Admin",
        organization=organization,
        is_account_admin=True,
        invitation_accepted=False,
    )
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_invitation", "_selected_action": [first_admin.pk, operator.pk]},
        )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["first@riverbend.example"]]
