from datetime import timedelta

import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc import settings as project_settings
from tests.conftest import PASSWORD


def sign_in(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_people_sign_in_with_their_email_in_any_case(practitioner):
    client = sign_in("PAT@Riverbend.example")
    assert is_signed_in(client)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(practitioner):
    response = Client().post(reverse("account_login"), {"login": practitioner.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_there_is_no_public_sign_up(client, db):
    assert client.get("/accounts/signup/").status_code == 404
    response = client.post("/accounts/signup/", {"email": "me@example.org", "password1": "x" * 12})
    assert response.status_code == 404
    assert not User.objects.exists()


def test_passwords_are_hashed_with_argon2(settings, db):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = User.objects.create_user(email="h@example.org", password=PASSWORD, full_name="H", is_staff=True)
    assert user.password.startswith("argon2$argon2id$")
    assert make_password("x").startswith("argon2$argon2id$")


def test_django_password_validators_are_on():
    names = {validator["NAME"].rsplit(".", 1)[-1] for validator in project_settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


def test_repeated_failed_logins_are_throttled_and_the_lockout_expires(practitioner, settings):
    client = Client()
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        response = client.post(reverse("account_login"), {"login": practitioner.email, "password": "wrong-guess-1"})
        assert response.status_code == 200
    # Even the right password is refused while the lockout lasts.
    response = client.post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
    assert response.status_code in {200, 429}
    assert not is_signed_in(client)
    assert "Too many" in response.content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LOGIN_ATTEMPTS_TIMEOUT + 1)):
        response = client.post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
        assert response.status_code == 302
        assert is_signed_in(client)


def test_signing_out_ends_the_other_sessions_too(practitioner):
    phone, laptop = sign_in(practitioner.email), sign_in(practitioner.email)
    assert is_signed_in(phone) and is_signed_in(laptop)

    response = phone.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)


def test_changing_the_password_ends_the_other_sessions_only(practitioner):
    phone, laptop = sign_in(practitioner.email), sign_in(practitioner.email)
    new_password = "a-different-long-password-7"

    response = phone.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )

    assert response.status_code == 302
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert is_signed_in(sign_in(practitioner.email, new_password))


def test_organization_can_require_two_factor_authentication(practitioner, organization):
    organization.require_mfa = True
    organization.save()
    client = sign_in(practitioner.email)

    for url in [reverse("home"), reverse("profile")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # The setup pages and signing out stay reachable.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code in {200, 302}

    Authenticator.objects.create(user=practitioner, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert is_signed_in(client)


def test_without_the_requirement_two_factor_is_optional(practitioner):
    assert is_signed_in(sign_in(practitioner.email))


def test_an_authenticator_cannot_be_removed_when_the_organization_requires_it(practitioner, organization):
    from accounts.adapter import MFAAdapter

    authenticator = Authenticator.objects.create(user=practitioner, type=Authenticator.Type.TOTP, data={})
    assert MFAAdapter().can_delete_authenticator(authenticator)
    organization.require_mfa = True
    organization.save()
    authenticator.user.refresh_from_db()
    assert not MFAAdapter().can_delete_authenticator(authenticator)


def test_sensitive_pages_ask_for_the_password_again(practitioner):
    client = sign_in(practitioner.email)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_password_reset_by_email_ends_every_session(practitioner, mailoutbox, run_tasks):
    laptop = sign_in(practitioner.email)
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": practitioner.email})
    assert response.status_code == 302
    run_tasks()
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1].strip()

    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key into the session
    new_password = "reset-to-something-long-9"
    response = client.post(response["Location"], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302

    assert not is_signed_in(laptop)
    assert is_signed_in(sign_in(practitioner.email, new_password))


def test_password_reset_for_an_unknown_address_reveals_nothing(db, mailoutbox, run_tasks):
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert run_tasks() == 0
    assert mailoutbox == []


def test_invited_person_who_resets_their_password_counts_as_accepted(practitioner, mailoutbox, run_tasks):
    practitioner.invitation_accepted = False
    practitioner.set_unusable_password()
    practitioner.save()
    client = Client()
    client.post(reverse("account_reset_password"), {"email": practitioner.email})
    run_tasks()
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    response = client.get("/" + link.split("://", 1)[1].split("/", 1)[1].strip())
    new_password = "reset-to-something-long-9"
    client.post(response["Location"], {"password1": new_password, "password2": new_password})
    practitioner.refresh_from_db()
    assert practitioner.invitation_accepted
    assert practitioner.check_password(new_password)
