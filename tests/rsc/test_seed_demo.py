import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, User

DEMO_LOGINS = {
    "admin@demo.example",
    "supervisor@demo.example",
    "supervisor2@demo.example",
    "practitioner@demo.example",
    "practitioner2@demo.example",
    "practitioner3@demo.example",
    "practitioner4@demo.example",
    "admin@second.example",
    "supervisor@second.example",
    "practitioner@second.example",
}


def seed(settings, *args):
    settings.DEBUG = True
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_creates_two_organizations_and_prints_the_logins(db, settings):
    output = seed(settings, "--password", "demo-pass-123")

    assert set(Organization.objects.values_list("name", flat=True)) == {"Demo Family Services", "Second Demo Agency"}
    assert set(User.objects.values_list("email", flat=True)) == DEMO_LOGINS
    for email in DEMO_LOGINS:
        assert email in output
    assert "demo-pass-123" in output
    demo = Organization.objects.get(name="Demo Family Services")
    assert User.objects.get(email="admin@demo.example").organization == demo
    assert User.objects.get(email="admin@demo.example").is_account_admin
    assert User.objects.get(email="supervisor@demo.example").is_supervisor
    assert User.objects.get(email="practitioner@second.example").organization.name == "Second Demo Agency"


def test_seed_demo_logins_work(db, settings):
    seed(settings, "--password", "demo-pass-123")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "practitioner@demo.example", "password": "demo-pass-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_seed_demo_is_idempotent(db, settings):
    seed(settings, "--password", "demo-pass-123")
    output = seed(settings)
    assert Organization.objects.count() == 2
    assert User.objects.count() == len(DEMO_LOGINS)
    generated = output.rsplit("Password for every demo login:", 1)[1].strip()
    assert len(generated) >= 10
    assert User.objects.get(email="admin@demo.example").check_password(generated)


def test_seed_demo_refuses_when_debug_is_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force", "--password", "demo-pass-123", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.count() == len(DEMO_LOGINS)


def test_seed_demo_refuses_a_short_password(db, settings):
    with pytest.raises(CommandError, match="at least 8"):
        seed(settings, "--password", "short")
