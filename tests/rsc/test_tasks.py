"""Background tasks: which failures are retried, and finished tasks pruned by the daily retention run."""

import io
import smtplib
import socket
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rsc.lib.tasks import MAX_ATTEMPTS, RETRY_DELAYS, is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (socket.gaierror(-3, "Temporary failure in name resolution"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPResponseException(421, b"Try again later"), True),
        (smtplib.SMTPDataError(451, b"Local error"), True),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"No such user")}), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (ValueError("Header values may not contain linefeed"), False),
    ],
)
def test_only_failures_that_may_pass_are_retried(error, transient):
    assert is_transient(error) is transient


def test_retries_wait_longer_each_time_over_about_an_hour_and_a_half():
    assert MAX_ATTEMPTS == 5
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert sum(RETRY_DELAYS, timedelta()) == timedelta(minutes=81)


def test_the_daily_retention_run_prunes_tasks_finished_two_weeks_ago(practitioner, run_tasks):
    Client().post(reverse("account_reset_password"), {"email": practitioner.email})
    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        Client().post(reverse("account_reset_password"), {"email": practitioner.email})
        run_tasks()
        Client().post(reverse("account_reset_password"), {"email": practitioner.email})
    assert DBTaskResult.objects.count() == 3

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        call_command("apply_retention", "--dry-run", verbosity=0, stdout=io.StringIO())
        assert DBTaskResult.objects.count() == 3
        call_command("apply_retention", verbosity=0, stdout=io.StringIO())

    # The one finished over 14 days ago is gone; the recent one and the one still waiting stay.
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["READY", "SUCCESSFUL"]


def test_a_retention_run_for_one_organization_leaves_tasks_alone(practitioner, organization, run_tasks):
    Client().post(reverse("account_reset_password"), {"email": practitioner.email})
    run_tasks()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        call_command("apply_retention", "--organization", str(organization.pk), verbosity=0, stdout=io.StringIO())
    assert DBTaskResult.objects.count() == 1
