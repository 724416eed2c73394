from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def sign_in(email: str) -> Client:
    client = Client()
    assert client.post(reverse("account_login"), {"login": email, "password": PASSWORD}).status_code == 302
    return client


def test_idle_session_ends_after_the_timeout(practitioner, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = sign_in(practitioner.email)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get(reverse("home")).status_code == 200
        # Activity just now restarted the clock.
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
        response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=" + reverse("profile")
    follow = client.get(response["Location"])
    assert "without activity" in follow.content.decode()


def test_asking_for_the_time_left_is_not_activity(practitioner, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = sign_in(practitioner.email)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 100))
        response = client.get(reverse("session_status"))
        assert response.json()["idle"] == 100
        traveller.shift(timedelta(seconds=101))
        assert client.get(reverse("session_status")).status_code == 302
        assert client.get(reverse("home")).status_code == 302


def test_stay_signed_in_restarts_the_idle_clock(practitioner, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = sign_in(practitioner.email)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 10))
        response = client.post(reverse("session_extend"), HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["idle"] == settings.SESSION_IDLE_TIMEOUT
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 10))
        assert client.get(reverse("home")).status_code == 200


def test_stay_signed_in_without_javascript_returns_to_the_page(practitioner):
    client = sign_in(practitioner.email)
    response = client.post(reverse("session_extend"), {"next": reverse("profile")})
    assert response["Location"] == reverse("profile")
    response = client.post(reverse("session_extend"), {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("home")


def test_session_ends_after_its_absolute_lifetime_however_active(practitioner, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = sign_in(practitioner.email)
        elapsed = 0
        while elapsed + settings.SESSION_IDLE_TIMEOUT // 2 < settings.SESSION_ABSOLUTE_LIFETIME:
            traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2))
            elapsed += settings.SESSION_IDLE_TIMEOUT // 2
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME - elapsed + 1))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "sessions end after 12 hours" in client.get(response["Location"]).content.decode()


def test_timing_out_on_one_device_leaves_the_others_signed_in(practitioner, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        idle, active = sign_in(practitioner.email), sign_in(practitioner.email)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert active.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(seconds=120))
        assert idle.get(reverse("home")).status_code == 302
        assert active.get(reverse("home")).status_code == 200


def test_pages_carry_the_timeout_for_the_warning_dialog(practitioner, settings):
    response = sign_in(practitioner.email).get(reverse("home"))
    content = response.content.decode()
    assert f'data-session-idle="{settings.SESSION_IDLE_TIMEOUT}"' in content
    assert 'id="session-warning"' in content
    assert 'role="alertdialog"' in content


def test_self_refreshing_fragments_are_not_activity(practitioner, settings):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = sign_in(practitioner.email)
        traveller.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        client.get(reverse("home"), headers={"X-Background-Refresh": "1", "HX-Request": "true"})
        traveller.shift(timedelta(seconds=61))
        assert client.get(reverse("home")).status_code == 302
