"""allauth's password confirmation and signed-in devices pages, in RSC Records' own words and layout
(templates/account/, templates/usersessions/)."""

from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def signed_in(person, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    assert client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD}).status_code == 302
    return client


def test_the_password_confirmation_says_why_and_what_to_do(admin_client):
    response = admin_client.get(reverse("account_reauthenticate"), {"next": reverse("person_invite")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Confirm it's you · RSC Records</title>" in html
    assert "Confirm it's you</h1>" in html
    assert "Confirm Access" not in html and "reauthenticate to safeguard" not in html
    assert "the people in your organization, their roles, its settings, or how you sign in" in html
    assert "Enter your password" in html
    assert "Confirm and continue" in html
    assert 'class="site-header' in html  # inside the app's own layout
    assert 'name="next" value="/people/invite/"' in html

    # The right password goes straight on to the change.
    response = admin_client.post(
        reverse("account_reauthenticate"), {"password": PASSWORD, "next": reverse("person_invite")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("person_invite")


def test_signed_in_devices_are_listed_by_browser_and_system_without_a_wide_table(practitioner):
    laptop = signed_in(practitioner, LAPTOP)
    signed_in(practitioner, PHONE)
    assert UserSession.objects.filter(user=practitioner).count() == 2

    response = laptop.get(reverse("usersessions_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Signed-in devices" in html
    assert "<table" not in html and "table-responsive" not in html
    assert html.count('<li class="card') == 2
    assert "Chrome · Windows" in " ".join(html.split())
    assert "Safari · iPhone" in " ".join(html.split())
    assert html.count("This device") == 1
    assert "Sign out on every other device" in html


def test_signing_out_the_other_devices_keeps_this_one(practitioner):
    laptop = signed_in(practitioner, LAPTOP)
    phone = signed_in(practitioner, PHONE)
    response = laptop.post(reverse("usersessions_list"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are signed out on every other device. This one stays signed in." in html
    assert "This is the only device where you are signed in." in html
    assert phone.get(reverse("home")).status_code == 302


def test_the_authenticator_code_confirmation_speaks_like_the_app(admin_client, admin_user):
    TOTP.activate(admin_user, "JBSWY3DPEHPK3PXP")
    response = admin_client.get(reverse("mfa_reauthenticate"), {"next": reverse("person_invite")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm it's you</h1>" in html
    assert "six-digit code your authenticator app shows now" in html
    assert "Enter an authenticator code:" not in html
    assert "Confirm and continue" in html
