import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Invitation, User
from accounts.tasks import send_invitation
from rsc.audit import Action
from rsc.lib.tasks import RETRY_DELAYS
from rsc.models import AuditEvent
from tests.conftest import mark_reauthenticated

INVITE = {"full_name": "Casey New", "email": "Casey.New@Riverbend.example", "roles": ["practitioner", "supervisor"]}


def invitation_link(message) -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert match, message.body
    return reverse("invitation_accept", args=[match.group(1)])


def invite(admin_client, run_tasks, data=INVITE):
    """Invite through the page, then let the worker send what was queued."""
    response = admin_client.post(reverse("person_invite"), data)
    run_tasks()
    return response


def test_admin_invites_a_person_who_receives_a_one_time_link(admin_client, admin_user, run_tasks):
    response = invite(admin_client, run_tasks)

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


def test_invited_person_chooses_a_password_and_is_signed_in(client, admin_client, run_tasks):
    invite(admin_client, run_tasks)
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


def test_weak_or_mismatched_passwords_are_refused(client, admin_client, run_tasks):
    invite(admin_client, run_tasks)
    link = invitation_link(mail.outbox[0])
    admin_client.logout()

    response = client.post(link, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    response = client.post(link, {"password1": "blue-kite-evening-42", "password2": "blue-kite-evening-43"})
    assert "not the same" in response.content.decode()
    assert not User.objects.get(email="casey.new@riverbend.example").has_usable_password()


def test_invitation_expires(client, admin_client, run_tasks, settings):
    invite(admin_client, run_tasks)
    link = invitation_link(mail.outbox[0])
    admin_client.logout()

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=1)):
        response = client.get(link)
        assert response.status_code == 404
        assert "no longer works" in response.content.decode()
        response = client.post(link, {"password1": "blue-kite-evening-42", "password2": "blue-kite-evening-42"})
        assert response.status_code == 404
    assert not User.objects.get(email="casey.new@riverbend.example").has_usable_password()


def test_resending_replaces_the_old_link(admin_client, run_tasks):
    invite(admin_client, run_tasks)
    person = User.objects.get(email="casey.new@riverbend.example")
    first_link = invitation_link(mail.outbox[0])

    response = admin_client.post(reverse("invitation_resend", args=[person.pk]))
    run_tasks()

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    second_link = invitation_link(mail.outbox[1])
    assert first_link != second_link
    admin_client.logout()
    assert admin_client.get(first_link).status_code == 404
    assert admin_client.get(second_link).status_code == 200


def test_unknown_token_answers_404(client, db):
    assert client.get(reverse("invitation_accept", args=["not-a-real-token"])).status_code == 404


def test_deactivating_an_invited_person_revokes_their_link(admin_client, run_tasks):
    invite(admin_client, run_tasks)
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


def test_an_administrator_invites_only_into_their_own_organization(client, stranger_admin, organization, run_tasks):
    client.force_login(stranger_admin)
    mark_reauthenticated(client, stranger_admin)
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


def test_site_operator_invites_an_organizations_first_administrator(client, organization, run_tasks):
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    first_admin = User.objects.create_user(
        email="first@riverbend.example",
        full_name="First Admin",
        organization=organization,
        is_account_admin=True,
        invitation_accepted=False,
    )
    client.force_login(operator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_invitation", "_selected_action": [first_admin.pk, operator.pk]},
    )
    assert response.status_code == 302
    assert mail.outbox == []
    assert run_tasks() == 1
    assert [message.to for message in mail.outbox] == [["first@riverbend.example"]]


def invitation_tasks():
    return DBTaskResult.objects.filter(task_path=send_invitation.module_path).order_by("enqueued_at")


def person_page(admin_client, person) -> str:
    response = admin_client.get(reverse("person_detail", args=[person.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_inviting_answers_at_once_and_the_worker_sends_the_email(admin_client, run_tasks):
    response = admin_client.post(reverse("person_invite"), INVITE, follow=True)

    person = User.objects.get(email="casey.new@riverbend.example")
    assert response.redirect_chain == [(reverse("person_detail", args=[person.pk]), 302)]
    page = " ".join(response.content.decode().split())
    assert "The invitation to Casey New (casey.new@riverbend.example) is on its way." in page
    assert "The invitation email is being sent." in page
    assert mail.outbox == []
    invitation = person.invitations.get()
    assert invitation.delivery == Invitation.Delivery.SENDING
    # The link does not exist yet: the worker makes it, so it never waits in the task table.
    assert invitation.token_hash is None
    [row] = invitation_tasks()
    assert row.args_kwargs == {"args": [], "kwargs": {"invitation_id": invitation.pk}}

    assert run_tasks() == 1
    invitation.refresh_from_db()
    assert invitation.delivery == Invitation.Delivery.SENT
    assert invitation.sent_at is not None
    token = invitation_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    assert invitation.token_hash == Invitation.hash_token(token)
    assert "Sent " in person_page(admin_client, person)


def test_with_the_mail_server_down_the_person_is_invited_and_the_email_retried(
    admin_client, mail_server_down, run_tasks, settings, django_capture_on_commit_callbacks
):
    admin_client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):  # what follows a real commit runs too
        response = admin_client.post(reverse("person_invite"), INVITE)

    assert response.status_code == 302
    person = User.objects.get(email="casey.new@riverbend.example")
    assert person.status == User.Status.INVITED
    invitation = person.invitations.get()
    assert invitation.is_usable

    before = timezone.now()
    assert run_tasks() == 1
    invitation.refresh_from_db()
    assert invitation.delivery == Invitation.Delivery.RETRYING
    first, retry = invitation_tasks()
    assert first.status == "FAILED"
    assert retry.status == "READY"
    assert retry.args_kwargs == {"args": [], "kwargs": {"invitation_id": invitation.pk, "attempt": 2}}
    assert before + RETRY_DELAYS[0] <= retry.run_after <= timezone.now() + RETRY_DELAYS[0]
    assert invitation.retry_at == retry.run_after
    page = person_page(admin_client, person)
    assert "The invitation could not be sent yet: the mail server did not take it." in page
    assert "RSC Records will try again by itself" in page

    # The mail server is back by the next attempt.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(retry.run_after):
        assert run_tasks() == 1
    invitation.refresh_from_db()
    assert invitation.delivery == Invitation.Delivery.SENT
    admin_client.logout()
    response = Client().get(invitation_link(mail.outbox[0]))
    assert response.status_code == 200


def test_an_invitation_that_could_never_be_sent_can_be_sent_again(admin_client, mail_server_down, run_tasks):
    invite(admin_client, run_tasks)
    person = User.objects.get(email="casey.new@riverbend.example")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in RETRY_DELAYS:
            [waiting] = invitation_tasks().filter(status="READY")
            clock.move_to(waiting.run_after)
            run_tasks()
    invitation = person.invitations.get()
    assert invitation.delivery == Invitation.Delivery.FAILED
    assert invitation.send_attempts == len(RETRY_DELAYS) + 1
    assert not invitation_tasks().filter(status="READY").exists()
    page = person_page(admin_client, person)
    assert "The invitation could not be sent." in page
    assert ">Send again</button>" in page

    response = admin_client.post(reverse("invitation_resend", args=[person.pk]), follow=True)
    page = " ".join(response.content.decode().split())
    assert "A new invitation to Casey New is on its way; earlier links no longer work." in page
    latest = person.invitations.first()
    assert latest != invitation
    assert latest.delivery == Invitation.Delivery.SENDING
    assert invitation_tasks().filter(status="READY").count() == 1


def test_nothing_is_half_done_when_the_send_cannot_be_queued(admin_client, settings):
    # A task backend that refuses the invitation's queue: the enqueue fails inside the transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["elsewhere"]}}
    admin_client.raise_request_exception = False
    response = admin_client.post(reverse("person_invite"), INVITE)
    assert response.status_code == 500
    assert not User.objects.filter(email__iexact=INVITE["email"]).exists()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.INVITE).exists()


def test_a_link_replaced_before_the_worker_sends_it_is_never_sent(admin_client, run_tasks):
    admin_client.post(reverse("person_invite"), INVITE)
    person = User.objects.get(email="casey.new@riverbend.example")
    admin_client.post(reverse("invitation_resend", args=[person.pk]))
    assert run_tasks() == 2
    # Only the newer invitation went out.
    assert len(mail.outbox) == 1
    first, second = person.invitations.order_by("created_at", "pk")
    assert first.token_hash is None
    assert second.token_hash == Invitation.hash_token(invitation_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.django_db(transaction=True)
def test_one_link_accepted_four_times_at_once_lets_exactly_one_in(organization):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks; this runs on PostgreSQL, as in CI")
    person = User.objects.create_user(
        email="casey@riverbend.example", full_name="Casey New", organization=organization, invitation_accepted=False
    )
    token = Invitation.new_token()
    Invitation.objects.create(
        user=person, token_hash=Invitation.hash_token(token), expires_at=Invitation.default_expiry()
    )
    link = reverse("invitation_accept", args=[token])
    start = threading.Barrier(4)
    answers = {}

    def accept(number: int) -> None:
        try:
            password = f"blue-kite-evening-{number}"
            client = Client()
            start.wait(timeout=10)
            response = client.post(link, {"password1": password, "password2": password})
            answers[number] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=[number]) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _ in answers.values()) == [302, 404, 404, 404]
    [winner] = [number for number, (status, _) in answers.items() if status == 302]
    for number, (_status, page) in answers.items():
        if number != winner:
            assert "This link no longer works" in page
    person.refresh_from_db()
    assert person.check_password(f"blue-kite-evening-{winner}")
    assert AuditEvent.objects.filter(action=Action.INVITATION_ACCEPTED, record_id=person.pk).count() == 1
