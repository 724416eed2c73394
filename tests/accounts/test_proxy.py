"""Behind a reverse proxy every request comes from the proxy's address: login throttling and the
audit trail must see the client's address instead, taken only from the trusted proxy hops."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from rsc.audit import client_ip
from rsc.models import AuditEvent
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
COLLEAGUE = "198.51.100.7"


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def through_proxy(client_address: str, *, sent: str = "") -> Client:
    """A browser at client_address, reaching the app through one proxy that appends what it saw
    to whatever X-Forwarded-For the browser sent."""
    forwarded = f"{sent}, {client_address}" if sent else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def sign_in(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_throttled(response) -> bool:
    return response.status_code == 429 or "Too many" in response.content.decode()


def test_a_flood_of_failed_sign_ins_from_one_address_does_not_lock_out_other_people(practitioner):
    attacker = through_proxy(ATTACKER)
    responses = [sign_in(attacker, f"made-up-{n}@nowhere.example", "wrong-guess-1") for n in range(40)]
    assert is_throttled(responses[-1])

    response = sign_in(through_proxy(COLLEAGUE), practitioner.email, PASSWORD)
    assert response.status_code == 302


def test_a_spoofed_forwarded_address_is_not_trusted(practitioner):
    # Each request claims a new address in the entry the browser controls; the proxy's entry
    # names the attacker every time, so the throttling still counts them as one.
    responses = [
        sign_in(through_proxy(ATTACKER, sent=f"192.0.2.{n}"), f"made-up-{n}@nowhere.example", "wrong-guess-1")
        for n in range(40)
    ]
    assert is_throttled(responses[-1])
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert set(failed.values_list("ip", flat=True)) == {ATTACKER}


def test_the_audit_trail_and_the_session_list_record_the_clients_address_not_the_proxys(practitioner):
    client = through_proxy(COLLEAGUE, sent="6.6.6.6")
    assert sign_in(client, practitioner.email, "wrong-guess-1").status_code == 200
    assert sign_in(client, practitioner.email, PASSWORD).status_code == 302

    events = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOGIN], actor_email=practitioner.email
    )
    assert sorted(events.values_list("action", "ip")) == [
        (AuditEvent.Action.LOGIN, COLLEAGUE),
        (AuditEvent.Action.LOGIN_FAILED, COLLEAGUE),
    ]
    assert set(UserSession.objects.filter(user=practitioner).values_list("ip", flat=True)) == {COLLEAGUE}


def test_the_per_account_limit_still_locks_the_account_for_a_while(practitioner, settings):
    # Wrong passwords from many addresses: the account itself pauses, whoever asks.
    for n in range(settings.LOGIN_ATTEMPTS_LIMIT):
        response = sign_in(through_proxy(f"192.0.2.{n + 1}"), practitioner.email, "wrong-guess-1")
        assert not is_throttled(response)
    owner = through_proxy(COLLEAGUE)
    response = sign_in(owner, practitioner.email, PASSWORD)
    assert response.status_code != 302
    assert is_throttled(response)

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LOGIN_ATTEMPTS_TIMEOUT + 1)):
        assert sign_in(owner, practitioner.email, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy of one's own: the header is the client's say
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, "203.0.113.9:4711", "203.0.113.9"),
        # Not through the proxies, or nonsense: the connecting address, never an error.
        (2, "203.0.113.9", PROXY),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, " , ", PROXY),
    ],
)
def test_the_client_address_comes_only_from_the_trusted_hops(settings, count, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_request_without_the_proxy_header_is_recorded_with_the_connecting_address(practitioner):
    assert sign_in(Client(REMOTE_ADDR="192.0.2.55"), practitioner.email, PASSWORD).status_code == 302
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip == "192.0.2.55"


def test_fewer_forwarded_hops_than_configured_sign_in_with_the_connecting_address(practitioner, settings):
    # Two proxies are configured, but this request passed only one: throttling and the session list
    # use the same safe answer as the audit trail instead of failing.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = sign_in(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=COLLEAGUE), practitioner.email, PASSWORD)
    assert response.status_code == 302
    assert UserSession.objects.get(user=practitioner).ip == PROXY
