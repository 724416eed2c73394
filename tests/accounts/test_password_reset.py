"""Password reset tells nobody who has an account, and never waits for the mail server."""

import json
import logging
import re
import statistics
import time

import pytest
import time_machine
from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.tasks import send_password_reset
from rsc.lib.tasks import RETRY_DELAYS

UNKNOWN = "nobody@riverbend.example"
RESET_LINK = re.compile(r"^(\S+)(/accounts/password/reset/key/\S+/)$", re.MULTILINE)
NEW_PASSWORD = "reset-to-something-long-9"


def request_reset(client: Client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email})


def reset_link(message) -> tuple[str, str]:
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def reset_tasks():
    return DBTaskResult.objects.filter(task_path=send_password_reset.module_path).order_by("enqueued_at")


def test_known_and_unknown_addresses_get_the_same_answer_in_the_same_time(practitioner, slow_mail_server):
    client = Client()
    durations = {practitioner.email: [], UNKNOWN: []}
    answers = set()
    for _ in range(20):
        for email in durations:
            cache.clear()  # so the rate limits count nothing here
            start = time.perf_counter()
            response = request_reset(client, email)
            durations[email].append(time.perf_counter() - start)
            answers.add((response.status_code, response["Location"], response.content))

    assert answers == {(302, reverse("account_reset_password_done"), b"")}
    # One email queued for each request for the known address, none for the other.
    assert reset_tasks().count() == 20
    known, unknown = (statistics.median(durations[email]) for email in (practitioner.email, UNKNOWN))
    assert abs(known - unknown) < 0.05, (known, unknown)
    # Nothing reached the mail server while anyone waited.
    assert slow_mail_server.messages == 0


def test_the_worker_builds_and_sends_the_reset_email_with_a_working_link(practitioner, run_tasks, settings):
    client = Client()
    assert request_reset(client, practitioner.email).status_code == 302

    assert mail.outbox == []
    [row] = reset_tasks()
    # Only the person's id waits in the task table: no address, no link, no key.
    assert row.args_kwargs == {"args": [], "kwargs": {"user_id": practitioner.pk}}
    assert run_tasks() == 1

    [message] = mail.outbox
    assert message.to == [practitioner.email]
    assert message.subject == "[RSC Records] Password Reset Email"
    site, path = reset_link(message)
    assert site == settings.SITE_URL
    assert "&amp;" not in message.body
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password(NEW_PASSWORD)


def test_with_the_mail_server_down_the_reset_page_answers_and_the_email_is_retried(
    practitioner, mail_server_down, run_tasks
):
    client = Client(raise_request_exception=False)
    response = request_reset(client, practitioner.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert client.get(response["Location"]).status_code == 200

    before = timezone.now()
    assert run_tasks() == 1
    first, retry = reset_tasks()
    assert first.status == "FAILED"
    assert first.exception_class_path == "builtins.ConnectionRefusedError"
    assert retry.status == "READY"
    assert retry.args_kwargs == {"args": [], "kwargs": {"user_id": practitioner.pk, "attempt": 2}}
    assert before + RETRY_DELAYS[0] <= retry.run_after <= timezone.now() + RETRY_DELAYS[0]
    # Not due yet.
    assert run_tasks() == 0


def test_an_email_that_cannot_be_sent_is_retried_with_growing_pauses_then_given_up(
    practitioner, mail_server_down, run_tasks, caplog
):
    request_reset(Client(), practitioner.email)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_tasks()
        pauses = []
        for _ in RETRY_DELAYS:
            [waiting] = reset_tasks().filter(status="READY")
            pauses.append(waiting.run_after - timezone.now())
            clock.move_to(waiting.run_after)
            with caplog.at_level(logging.WARNING, logger="rsc.lib.tasks"):
                assert run_tasks() == 1

    assert pauses == list(RETRY_DELAYS)
    assert not reset_tasks().filter(status="READY").exists()
    assert reset_tasks().filter(status="FAILED").count() == len(RETRY_DELAYS) + 1
    assert "gave up after 5 attempts" in caplog.text
    assert mail.outbox == []


def test_a_reset_email_goes_out_once_the_mail_server_is_back(practitioner, mail_server_down, run_tasks, settings):
    request_reset(Client(), practitioner.email)
    run_tasks()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(timezone.now() + RETRY_DELAYS[0]):
        assert run_tasks() == 1
    assert [message.to for message in mail.outbox] == [[practitioner.email]]
    assert reset_tasks().last().status == "SUCCESSFUL"


def test_a_reset_for_someone_deactivated_before_the_worker_runs_sends_nothing(practitioner, run_tasks):
    request_reset(Client(), practitioner.email)
    practitioner.is_active = False
    practitioner.save()
    assert run_tasks() == 1
    assert mail.outbox == []


def test_allauths_own_reset_flow_queues_the_persons_id_only(practitioner, run_tasks):
    get_adapter().send_password_reset_mail(practitioner, practitioner.email, {"password_reset_url": "https://x/"})
    assert mail.outbox == []
    [row] = reset_tasks()
    assert row.args_kwargs == {"args": [], "kwargs": {"user_id": practitioner.pk}}
    assert run_tasks() == 1
    [message] = mail.outbox
    assert "https://x/" not in message.body


def test_allauth_sends_no_email_of_its_own_inside_a_request(practitioner, settings):
    # Every email allauth can send, and what keeps it off in this configuration: security
    # notifications (password changed or reset, two-factor changes)...
    assert allauth_settings.EMAIL_NOTIFICATIONS is False
    # ...the "you have no account" answer to a reset request...
    assert allauth_settings.EMAIL_UNKNOWN_ACCOUNTS is False
    # ...address confirmation and "already exists" (no sign-up, no address changes)...
    assert allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.NONE
    assert not get_adapter().is_open_for_signup(None)
    # ...and codes by email.
    assert not allauth_settings.LOGIN_BY_CODE_ENABLED
    assert not allauth_settings.PASSWORD_RESET_BY_CODE_ENABLED
    # The password reset email goes through a task; any other would reach the mail server inside the
    # request, so the adapter refuses it loudly rather than sending it.
    with pytest.raises(ImproperlyConfigured, match="through a task"):
        get_adapter().send_mail("account/email/password_changed", practitioner.email, {})


def test_reset_tasks_and_their_retries_hold_no_address_or_link(practitioner, run_tasks, mail_server_down):
    request_reset(Client(), practitioner.email)
    run_tasks()
    stored = json.dumps([row.args_kwargs for row in reset_tasks()])
    assert "@" not in stored
    assert "http" not in stored
