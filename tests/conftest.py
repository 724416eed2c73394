import datetime
import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.core.cache import cache

from accounts.models import Organization, User
from rsc.models import SupervisionAgreement

PASSWORD = "a-long-test-password-42"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Argon2 is deliberately slow; tests that check hashing restore it themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest needs collectstatic; tests and the live server use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


def make_person(organization, email, full_name, *roles, **extra) -> User:
    fields = {User.ROLE_FIELDS[role]: True for role in roles}
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        full_name=full_name,
        organization=organization,
        **fields,
        **extra,
    )


@pytest.fixture
def organization(db):
    return Organization.objects.create(name="Riverbend Early Childhood")


@pytest.fixture
def other_organization(db):
    return Organization.objects.create(name="Far Hills Agency")


@pytest.fixture
def admin_user(organization):
    return make_person(organization, "admin@riverbend.example", "Avery Admin", User.Role.ADMINISTRATOR)


@pytest.fixture
def supervisor(organization):
    return make_person(organization, "sup@riverbend.example", "Sasha Supervisor", User.Role.SUPERVISOR)


@pytest.fixture
def practitioner(organization):
    return make_person(organization, "pat@riverbend.example", "Pat Practitioner", User.Role.PRACTITIONER)


@pytest.fixture
def other_practitioner(organization):
    return make_person(organization, "quinn@riverbend.example", "Quinn Practitioner", User.Role.PRACTITIONER)


@pytest.fixture
def other_supervisor(organization):
    """A supervisor of another team in the same organization, with no part in the persona's work."""
    return make_person(organization, "morgan@riverbend.example", "Morgan Other", User.Role.SUPERVISOR)


@pytest.fixture
def stranger_supervisor(other_organization):
    return make_person(other_organization, "sup@farhills.example", "Drew Faraway", User.Role.SUPERVISOR)


def acknowledged() -> dict:
    """Both people have acknowledged the agreement: with its dates, it is in force.

    Spread into SupervisionAgreement.objects.create(..., **acknowledged()). An agreement without
    both acknowledgements grants nothing (no families, no shared reflections, no scheduling).
    """
    moment = datetime.datetime(2025, 12, 20, 9, 0, tzinfo=datetime.UTC)
    return {"supervisor_acknowledged_at": moment, "supervisee_acknowledged_at": moment}


@pytest.fixture
def agreement(organization, supervisor, practitioner):
    """The persona supervisor supervises the persona practitioner, since the start of 2026; both
    have acknowledged the agreement, so it is in force."""
    return SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=practitioner,
        starts_on=datetime.date(2026, 1, 1),
        confidentiality_limits="Mandated reporting applies.",
        **acknowledged(),
    )


@pytest.fixture
def unacknowledged_agreement(organization, supervisor, practitioner):
    """The same agreement as `agreement`, acknowledged by nobody yet: it grants nothing."""
    return SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=practitioner,
        starts_on=datetime.date(2026, 1, 1),
        confidentiality_limits="Mandated reporting applies.",
    )


@pytest.fixture
def stranger_admin(other_organization):
    return make_person(other_organization, "admin@farhills.example", "Sam Stranger", User.Role.ADMINISTRATOR)


@pytest.fixture
def stranger(other_organization):
    return make_person(other_organization, "pat@farhills.example", "Robin Stranger", User.Role.PRACTITIONER)


def mark_reauthenticated(client, user) -> None:
    """Record a fresh password confirmation in the session, as allauth's reauthenticate view does."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    mark_reauthenticated(client, admin_user)
    return client


@pytest.fixture
def run_tasks(monkeypatch):
    """Run every task that is due with django-tasks-db's own worker in batch mode, as `db_worker --batch`
    does; returns how many ran. Tasks scheduled for later (retries) wait: travel in time to run them."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # Between tasks the worker drops connections left outside autocommit; in a test that would be the
    # connection holding the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> int:
        finished = DBTaskResult.objects.finished().count()
        worker = db_worker.Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest",
        )
        worker.run()
        return DBTaskResult.objects.finished().count() - finished

    return run


def _register_name_field_strategy() -> None:
    """Hypothesis's `from_form` infers values for Django's own fields only. A NameField
    (rsc/forms/fields.py) gets any text, line breaks and direction controls included, so the
    property tests see it refuse or clean them; the field's validators then filter by length."""
    from hypothesis import strategies as st
    from hypothesis.extra.django import register_field_strategy

    from rsc.forms.fields import NameField

    typed = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), min_size=1, max_size=200)
    register_field_strategy(NameField, typed)


_register_name_field_strategy()
