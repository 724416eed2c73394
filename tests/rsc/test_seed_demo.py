import datetime
import itertools
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from rsc import scheduling
from rsc.demo import purge_records
from rsc.management.commands.seed_demo import Command as SeedDemo
from rsc.models import (
    AgendaItem,
    Caregiver,
    Child,
    Family,
    FollowUp,
    RSCGroup,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionSeries,
    SupervisionAgreement,
    SupervisionSession,
)

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
DEMO = "Demo Family Services"
SECOND = "Second Demo Agency"
VOLUME = "Volume Test Agency"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
# A Wednesday in spring; the demo is built relative to "now".
NOW = datetime.datetime(2026, 4, 15, 11, 20, tzinfo=CHICAGO)
Status = SupervisionSession.Status

MODELS = [
    Organization,
    User,
    Family,
    Family.practitioners.through,
    Child,
    Caregiver,
    SupervisionAgreement,
    RSCGroup,
    RSCGroup.members.through,
    SessionSeries,
    SupervisionSession,
    SessionParticipant,
    AgendaItem,
    SessionElement,
    FollowUp,
    SessionNoteVersion,
    SessionEvent,
]


def seed(settings, *args):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in MODELS}


def session_states() -> list[tuple]:
    sessions = SupervisionSession.objects.order_by("starts_at", "supervisor__email")
    return [(s.starts_at, s.status, s.signed_at is None, s.cancel_reason) for s in sessions]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="class")
def shared_demo(django_db_setup, django_db_blocker):
    """One demo for the tests that start from it: seeding is the slow part. Each test's changes roll back."""
    out = StringIO()
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(DEBUG=True, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        call_command("seed_demo", "--password", "demo-pass-123", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        for organization in Organization.objects.all():
            purge_records(organization)
        User.objects.all().delete()
        Organization.objects.all().delete()


@pytest.fixture
def demo(shared_demo, db, frozen):
    """The output of the shared seed_demo run."""
    return shared_demo


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


# The demo records ---------------------------------------------------------------


class TestDemoRecords:
    """The demo, seeded once for the class; each test starts from it."""

    def test_seed_demo_creates_two_organizations_and_prints_the_logins(self, demo):
        output = demo
        assert set(Organization.objects.values_list("name", flat=True)) == {DEMO, SECOND}
        assert set(User.objects.values_list("email", flat=True)) == DEMO_LOGINS
        for email in DEMO_LOGINS:
            assert email in output
        assert "demo-pass-123" in output
        organization = Organization.objects.get(name=DEMO)
        assert User.objects.get(email="admin@demo.example").organization == organization
        assert User.objects.get(email="admin@demo.example").is_account_admin
        assert User.objects.get(email="supervisor@demo.example").is_supervisor
        assert User.objects.get(email="practitioner@second.example").organization.name == SECOND
        families, agreements = Family.objects.count(), SupervisionAgreement.objects.count()
        sessions = SupervisionSession.objects.count()
        assert f"{families} families, {agreements} agreements" in output
        assert f"{sessions} sessions" in output

    def test_seed_demo_logins_work(self, demo):
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": "practitioner@demo.example", "password": "demo-pass-123"}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200

    def test_seed_demo_is_idempotent_and_leaves_other_organizations_alone(
        self, demo, settings, organization, supervisor, practitioner
    ):
        family = Family.objects.create(organization=organization, code="KEEP-1", context=Family.Context.CHILD_CARE)
        family.practitioners.add(practitioner)
        agreement = SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=supervisor,
            supervisee=practitioner,
            starts_on=datetime.date(2026, 1, 1),
            confidentiality_limits="Mandated reporting applies.",
        )
        [session] = scheduling.sessions_schedule(
            supervisor=supervisor, agreement=agreement, starts_at=NOW, duration_minutes=60, modality="video"
        )
        first, states = model_counts(), session_states()

        output = seed(settings)

        # The same records again, rebuilt from scratch.
        assert model_counts() == first
        assert session_states() == states
        assert Organization.objects.count() == 3
        assert User.objects.count() == len(DEMO_LOGINS) + 2
        generated = output.rsplit("Password for every demo login:", 1)[1].strip()
        assert len(generated) >= 10
        assert User.objects.get(email="admin@demo.example").check_password(generated)
        # Nothing outside the demo organizations was touched.
        assert Family.objects.filter(pk=family.pk, code="KEEP-1").exists()
        assert SupervisionAgreement.objects.filter(pk=agreement.pk).exists()
        assert SupervisionSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).exists()
        assert set(organization.people.values_list("email", flat=True)) == {supervisor.email, practitioner.email}

    def test_demo_families_have_children_of_varied_ages(self, demo):
        for name, expected in [(DEMO, 10), (SECOND, 3)]:
            families = Family.objects.filter(organization__name=name)
            assert families.count() == expected
            assert families.closed().exists() and families.open().exists()
            assert all(family.children.exists() and family.caregivers.exists() for family in families)
            assert all(family.practitioners.exists() for family in families)
        families = Family.objects.filter(organization__name=DEMO)
        assert len({family.context for family in families}) >= 4
        # Every practitioner of the demo has families of their own.
        for number in ["", "2", "3", "4"]:
            assert families.filter(practitioners__email=f"practitioner{number}@demo.example").exists()
        ages = [child.age_text() for child in Child.objects.filter(family__in=families)]
        for age in ["newborn", "4 months", "14 months", "2 years 3 months"]:
            assert age in ages
        assert any(age.startswith("due in") for age in ages)
        assert any(age.startswith("4 years") for age in ages)
        assert Child.objects.filter(family__in=families, expected=True).count() == 1
        # De-identified: codes and initials, each caregiver with a relationship and a line of context.
        assert {"JM-2", "Blue 7"} <= set(families.values_list("code", flat=True))
        assert all(len(child.label) <= 6 for child in Child.objects.all())
        assert all(caregiver.relationship and caregiver.notes for caregiver in Caregiver.objects.all())

    def test_demo_agreements_and_group(self, demo):
        today = timezone.localdate()
        agreements = SupervisionAgreement.objects.filter(organization__name=DEMO).select_related(
            "supervisor", "supervisee"
        )
        pairs = {(agreement.supervisor.email, agreement.supervisee.email) for agreement in agreements.active(today)}
        assert pairs == {
            ("supervisor@demo.example", "practitioner@demo.example"),
            ("supervisor@demo.example", "practitioner2@demo.example"),
            ("supervisor2@demo.example", "practitioner3@demo.example"),
            ("supervisor2@demo.example", "practitioner4@demo.example"),
            ("supervisor2@demo.example", "supervisor@demo.example"),
        }
        dana = agreements.get(supervisee__email="practitioner@demo.example")
        assert (dana.cadence, dana.usual_minutes, dana.format) == ("fortnightly", 60, "individual")
        ended = [agreement for agreement in agreements if not agreement.is_active(today)]
        assert len(ended) == 1 and ended[0].ends_on < today
        awaiting = [agreement for agreement in agreements if not agreement.fully_acknowledged]
        assert len(awaiting) == 1
        assert awaiting[0].supervisor_acknowledged_at and awaiting[0].supervisee_acknowledged_at is None
        for agreement in SupervisionAgreement.objects.all():
            assert agreement.confidentiality_limits == agreement.organization.confidentiality_limits

        second = SupervisionAgreement.objects.filter(organization__name=SECOND).active(today).get()
        assert (second.supervisor.email, second.supervisee.email) == (
            "supervisor@second.example",
            "practitioner@second.example",
        )

        group = RSCGroup.objects.get()
        assert group.name == "Monthly reflective circle"
        assert group.facilitator.email == "supervisor2@demo.example"
        assert set(group.members.values_list("email", flat=True)) == {
            "practitioner@demo.example",
            "practitioner2@demo.example",
            "practitioner3@demo.example",
        }
        group_sessions = group.sessions.order_by("starts_at")
        assert group_sessions.count() >= 5
        assert all(session.duration_minutes == 120 for session in group_sessions)
        assert all(timezone.localtime(session.starts_at).weekday() < 5 for session in group_sessions)
        assert all(session.participants.count() == 3 for session in group_sessions)

    @pytest.mark.parametrize("name", [DEMO, SECOND])
    def test_demo_sessions_show_every_state(self, demo, name):
        now = timezone.now()
        sessions = SupervisionSession.objects.filter(organization__name=name)
        past, upcoming = sessions.filter(starts_at__lt=now), sessions.filter(starts_at__gte=now)
        assert not past.filter(status=Status.SCHEDULED).exists()
        assert upcoming.filter(status=Status.SCHEDULED).count() >= 3
        assert AgendaItem.objects.filter(session__in=upcoming, family__isnull=False).exists()
        assert AgendaItem.objects.filter(session__in=upcoming, family__isnull=True).exclude(text="").exists()
        # An agenda item only names the author's own families.
        for item in AgendaItem.objects.filter(session__in=sessions, family__isnull=False):
            assert item.family.practitioners.filter(pk=item.author_id).exists()
        # About four months back and six weeks ahead.
        assert now - past.earliest("starts_at").starts_at > datetime.timedelta(weeks=15)
        assert upcoming.latest("starts_at").starts_at - now > datetime.timedelta(weeks=5)

        signed = past.filter(status=Status.HELD, signed_at__isnull=False)
        assert signed.count() >= 5
        for session in signed.annotate(
            element_count=Count("elements", distinct=True),
            version_count=Count("note_versions", distinct=True),
            signature_count=Count("events", filter=Q(events__kind=SessionEvent.Kind.SIGNED), distinct=True),
            attended_count=Count("participants", filter=Q(participants__attendance="attended"), distinct=True),
        ):
            assert len(session.notes) > 100
            assert 1 <= session.element_count <= 3
            assert session.version_count == 1
            assert session.signature_count == 1
            assert session.signed_at > session.starts_at
            assert session.attended_count >= 1
        assert FollowUp.objects.filter(session__in=signed, kind=FollowUp.Kind.REFLECTIVE).exists()
        assert FollowUp.objects.filter(session__in=signed, kind=FollowUp.Kind.ADMINISTRATIVE).count() == 1

        cancelled = past.filter(status=Status.CANCELLED)
        assert cancelled.exists()
        assert all(session.cancel_reason and session.cancelled_at for session in cancelled)
        missed = past.filter(status=Status.MISSED)
        assert missed.count() == 1
        assert set(missed.get().participants.values_list("attendance", flat=True)) == {"absent"}

        # Each supervisor's two most recent held sessions wait for notes; everything older is signed.
        waiting = past.awaiting_documentation()
        for supervisor_id in sessions.values_list("supervisor_id", flat=True).distinct():
            held = past.filter(supervisor_id=supervisor_id, status=Status.HELD).order_by("-starts_at")
            assert set(held[:2]) == set(waiting.filter(supervisor_id=supervisor_id))
            assert all(session.notes == "" and not session.elements.exists() for session in held[:2])
        assert waiting.count() >= 2

    def test_demo_has_the_cancellation_reasons_and_one_safety_follow_up(self, demo):
        sessions = SupervisionSession.objects.filter(organization__name=DEMO, starts_at__lt=timezone.now())
        reasons = set(sessions.filter(status=Status.CANCELLED).values_list("cancel_reason", flat=True))
        assert "Practitioner on a crisis visit with a family" in reasons
        assert "Supervisor ill" in reasons
        safety = FollowUp.objects.get(kind=FollowUp.Kind.SAFETY)
        assert safety.text == "Consult the program manager about the reporting question today."
        assert safety.due_on == timezone.localtime(safety.session.starts_at).date()
        assert safety.owner.email == "practitioner2@demo.example"
        # The home page shows a supervisor what waits for notes.
        client = Client()
        client.force_login(User.objects.get(email="supervisor@demo.example"))
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert len(response.context["to_document"]) == 2

    def test_demo_records_stay_within_their_organization(self, demo):
        for organization in Organization.objects.filter(name__in=[DEMO, SECOND]):
            people = set(User.objects.filter(organization=organization).values_list("pk", flat=True))
            families = Family.objects.filter(organization=organization)
            assert set(families.values_list("practitioners", flat=True)) <= people
            agreements = SupervisionAgreement.objects.filter(organization=organization)
            assert (
                set(agreements.values_list("supervisor", flat=True))
                | set(agreements.values_list("supervisee", flat=True))
                <= people
            )
            sessions = SupervisionSession.objects.filter(organization=organization)
            assert set(sessions.values_list("supervisor", flat=True)) <= people
            assert set(SessionParticipant.objects.filter(session__in=sessions).values_list("user", flat=True)) <= people
            assert set(AgendaItem.objects.filter(session__in=sessions).values_list("author", flat=True)) <= people
            assert set(FollowUp.objects.filter(session__in=sessions).values_list("owner", flat=True)) <= people
            assert (
                not AgendaItem.objects.filter(session__in=sessions)
                .exclude(family=None)
                .exclude(family__organization=organization)
            )
            assert not sessions.exclude(agreement=None).exclude(agreement__organization=organization)
            assert not sessions.exclude(group=None).exclude(group__organization=organization)


@pytest.mark.parametrize(
    "moment",
    # A month end late at night; four months back crosses a daylight-saving change.
    [datetime.datetime(2027, 1, 31, 23, 50, tzinfo=CHICAGO)],
)
def test_demo_builds_on_awkward_days(db, settings, moment):
    with time_machine.travel(moment, tick=False):
        seed(settings, "--password", "demo-pass-123")
        for name in [DEMO, SECOND]:
            statuses = set(SupervisionSession.objects.filter(organization__name=name).values_list("status", flat=True))
            assert statuses == {Status.HELD, Status.CANCELLED, Status.MISSED, Status.SCHEDULED}
        assert SupervisionSession.objects.awaiting_documentation().count() == 6


# Volume data ---------------------------------------------------------------------

VOLUME_ARGS = ["--families", "30", "--practitioners", "6", "--supervisors", "2", "--months", "2"]


def test_volume_option_builds_the_requested_numbers_and_can_run_again(db, settings, frozen):
    output = seed(settings, "--password", "demo-pass-123", *VOLUME_ARGS)
    volume = Organization.objects.get(name=VOLUME)
    people = User.objects.filter(organization=volume)
    assert people.filter(is_practitioner=True).count() == 6
    assert people.filter(is_supervisor=True).count() == 2
    assert set(people.filter(is_account_admin=True).values_list("email", flat=True)) == {"admin@volume.example"}
    assert {"p0001@volume.example", "p0006@volume.example", "s001@volume.example", "s002@volume.example"} <= set(
        people.values_list("email", flat=True)
    )
    assert people.get(email="p0003@volume.example").check_password("demo-pass-123")

    families = Family.objects.filter(organization=volume)
    assert families.count() == 30
    assert not families.filter(children=None).exists()
    assert not families.filter(caregivers=None).exists()
    assert set(families.values_list("practitioners__email", flat=True)) == set(
        people.filter(is_practitioner=True).values_list("email", flat=True)
    )

    agreements = SupervisionAgreement.objects.filter(organization=volume)
    assert agreements.count() == 6
    assert set(agreements.values_list("supervisee__email", flat=True)) == {
        f"p000{n}@volume.example" for n in range(1, 7)
    }
    assert set(agreements.values_list("supervisor__organization", flat=True)) == {volume.pk}

    # Weekly sessions from two months back to four weeks ahead, for every practitioner.
    now, today = timezone.now(), timezone.localdate()
    window = (today - scheduling.add_months(today, -2)).days + 28
    sessions = SupervisionSession.objects.filter(organization=volume)
    for agreement in agreements:
        starts = [timezone.localtime(start) for start in agreement.sessions.values_list("starts_at", flat=True)]
        assert window // 7 <= len(starts) <= window // 7 + 1
        assert {b.date() - a.date() for a, b in itertools.pairwise(starts)} == {datetime.timedelta(weeks=1)}
        assert len({start.time() for start in starts}) == 1
    assert sessions.count() == SessionParticipant.objects.filter(session__in=sessions).count()
    assert not sessions.filter(starts_at__lt=now, status=Status.SCHEDULED).exists()
    assert set(sessions.filter(starts_at__gte=now).values_list("status", flat=True)) == {Status.SCHEDULED}
    signed = sessions.filter(signed_at__isnull=False)
    assert signed.exists() and not signed.filter(notes="").exists()
    assert SessionElement.objects.filter(session__in=signed).count() >= signed.count()
    assert (
        sessions.filter(status=Status.CANCELLED).exclude(cancel_reason="").count()
        == sessions.filter(status=Status.CANCELLED).count()
    )
    assert AgendaItem.objects.filter(session__in=sessions.filter(starts_at__gte=now)).count() >= 6
    assert FollowUp.objects.filter(session__in=sessions).exists()
    assert f"{sessions.count():,} sessions" in output

    # The demo organizations are there as usual, and a second run rebuilds the same numbers.
    assert Family.objects.filter(organization__name=DEMO).count() == 10
    before = model_counts()
    seed(settings, "--password", "demo-pass-123", *VOLUME_ARGS)
    assert model_counts() == before
    assert Organization.objects.filter(name=VOLUME).count() == 1


@pytest.mark.parametrize(
    ("given", "sizes"),
    [
        # One practitioner for every 25 families, one supervisor for every 6 practitioners, a year.
        ({"families": 50}, (50, 2, 1, 12)),
        ({"families": 5000, "months": 24}, (5000, 200, 33, 24)),
        ({"families": 30, "practitioners": 6, "supervisors": 2, "months": 2}, (30, 6, 2, 2)),
    ],
)
def test_volume_sizes_have_sensible_defaults(given, sizes):
    chosen = SeedDemo()._volume_sizes(given)
    assert (chosen["families"], chosen["practitioners"], chosen["supervisors"], chosen["months"]) == sizes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--families", "0"], "--families must be a positive whole number"),
        (["--families", "-5"], "--families must be a positive whole number"),
        (["--families", "10", "--practitioners", "0"], "--practitioners must be a positive whole number"),
        (["--families", "10", "--supervisors", "-1"], "--supervisors must be a positive whole number"),
        (["--families", "10", "--months", "0"], "--months must be a positive whole number"),
        (["--families", "10", "--months", "500"], "--months can be at most"),
        (["--practitioners", "5"], "add --families"),
    ],
)
def test_volume_option_refuses_bad_sizes(db, settings, args, message):
    with pytest.raises(CommandError, match=message):
        seed(settings, "--password", "demo-pass-123", *args)
    assert not Organization.objects.exists()
