import datetime
import itertools
import re
import zoneinfo
from collections import defaultdict
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from rsc import demo as demo_module
from rsc.deidentify import find_identifying
from rsc.demo import purge_records
from rsc.management.commands.seed_demo import Command as SeedDemo
from rsc.models import (
    AgendaItem,
    Caregiver,
    Child,
    Family,
    FollowUp,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    RSCGroup,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionReply,
    SessionSeries,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.services import reflections as reflections_services
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged

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
    SessionReply,
    Reflection,
    ReflectionShare,
    ReflectionResponse,
    ReflectionVersion,
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


def reflection_texts(reflections) -> list[str]:
    """Everything written in these reflections: titles, sections, check-in words, responses and versions."""
    texts = []
    for reflection in reflections:
        texts += [reflection.title, reflection.checkin_words, *reflection.texts().values()]
    texts += ReflectionResponse.objects.filter(reflection__in=reflections).values_list("text", flat=True)
    for title, sections in ReflectionVersion.objects.filter(reflection__in=reflections).values_list(
        "title", "sections"
    ):
        texts += [title, *sections.values()]
    return [text for text in texts if text]


def assert_deidentified(texts) -> None:
    assert [(text, find_identifying(text)) for text in set(texts) if find_identifying(text)] == []


def assert_reflection_times(reflections) -> None:
    """Everything happened in the past, in a believable order."""
    now = timezone.now()
    for reflection in reflections.select_related("family", "organization"):
        tz = zoneinfo.ZoneInfo(reflection.organization.time_zone)
        assert reflection.created_at <= reflection.updated_at <= now
        assert reflection.created_at > now - datetime.timedelta(days=31 * 25)
        if reflection.family:
            assert timezone.localtime(reflection.created_at, tz).date() >= reflection.family.opened_on
        if reflection.author_seen_at:
            assert reflection.created_at <= reflection.author_seen_at <= now
        if reflection.deleted_at:
            assert reflection.created_at < reflection.deleted_at <= now
    shares = ReflectionShare.objects.filter(reflection__in=reflections).select_related("reflection")
    shared_at = {}
    for share in shares:
        assert share.reflection.created_at <= share.shared_at <= now
        shared_at[share.reflection_id] = min(share.shared_at, shared_at.get(share.reflection_id, share.shared_at))
        if share.first_read_at:
            assert share.shared_at <= share.first_read_at <= share.last_read_at <= now
        else:
            assert share.last_read_at is None
        if share.revoked_at:
            assert share.shared_at < share.revoked_at <= now
    for response in ReflectionResponse.objects.filter(reflection__in=reflections):
        assert shared_at[response.reflection_id] <= response.created_at <= now
    versions = defaultdict(list)
    for version in ReflectionVersion.objects.filter(reflection__in=reflections).order_by("number"):
        versions[version.reflection_id].append(version)
    for reflection in reflections:
        numbered = versions[reflection.pk]
        assert [version.number for version in numbered] == list(range(1, reflection.revision + 1))
        assert numbered[0].started_at == reflection.created_at
        assert numbered[-1].saved_at == reflection.updated_at
        assert numbered[-1].sections == reflection.texts()
        for before, after in itertools.pairwise(numbered):
            assert before.started_at <= before.saved_at <= after.started_at <= after.saved_at


def assert_reflections_follow_the_rules(reflections) -> None:
    """Authors write about their own families and sessions; shares go only to their supervisors."""
    for reflection in reflections.select_related("author", "family", "session", "organization"):
        author = reflection.author
        assert author.organization_id == reflection.organization_id
        assert author.is_practitioner or author.is_supervisor
        if reflection.family:
            assert reflection.family.organization_id == reflection.organization_id
            assert reflection.family.practitioners.filter(pk=author.pk).exists()
        if reflection.session:
            assert reflection.session.organization_id == reflection.organization_id
            assert reflection.session.participants.filter(user=author).exists()
            assert reflection.session.status != Status.CANCELLED
    shares = ReflectionShare.objects.filter(reflection__in=reflections).select_related(
        "supervisor", "reflection__session", "reflection__organization"
    )
    supervisors = defaultdict(set)
    for share in shares:
        reflection, supervisor = share.reflection, share.supervisor
        supervisors[reflection.pk].add(supervisor.pk)
        assert supervisor.is_supervisor and supervisor.organization_id == reflection.organization_id
        assert supervisor.pk != reflection.author_id
        day = timezone.localtime(share.shared_at, zoneinfo.ZoneInfo(reflection.organization.time_zone)).date()
        agreed = SupervisionAgreement.objects.active(day).filter(
            supervisor=supervisor, supervisee_id=reflection.author_id
        )
        assert agreed.exists() or (reflection.session and reflection.session.supervisor_id == supervisor.pk)
    for response in ReflectionResponse.objects.filter(reflection__in=reflections).select_related("reflection"):
        assert (
            response.author_id == response.reflection.author_id
            or response.author_id in supervisors[response.reflection_id]
        )


def assert_agreements_set_up_before_acknowledged(agreements) -> None:
    """An agreement was set up (by the administrator) before either person acknowledged it, and it
    names the organization's emergency contact, a fictional 555-01xx line."""
    for agreement in agreements.select_related("organization"):
        acknowledged_at = [
            moment for moment in (agreement.supervisor_acknowledged_at, agreement.supervisee_acknowledged_at) if moment
        ]
        assert acknowledged_at
        assert agreement.created_at < min(acknowledged_at) <= timezone.now()
        assert timezone.localtime(agreement.created_at).date() < agreement.starts_on
        assert agreement.emergency_contact == agreement.organization.emergency_contact
        assert re.search(r"\b555-01\d\d\b", agreement.emergency_contact)


def demo_strings(value) -> list[str]:
    """Every string in a demo constant, however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in demo_strings(key) + demo_strings(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [text for item in value for text in demo_strings(item)]
    return []


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
        assert f"{sessions} sessions, {Reflection.objects.alive().count()} reflections." in output

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
            **acknowledged(),
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
            # Closed in the app, by one of their practitioners: retention counts from then.
            for family in families.closed():
                assert family.closed_at is not None and family.closed_at <= timezone.now()
                assert timezone.localdate(family.closed_at) == family.closed_on
                assert family.closed_by in family.practitioners.all()
            assert not families.open().filter(closed_at__isnull=False).exists()
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

    def test_demo_agreements_were_set_up_before_they_were_acknowledged(self, demo):
        assert_agreements_set_up_before_acknowledged(SupervisionAgreement.objects.all())
        for organization in Organization.objects.all():
            assert "555-01" in organization.emergency_contact
        # The page says when it was set up: not today, but before the first acknowledgement.
        dana = SupervisionAgreement.objects.get(supervisee__email="practitioner@demo.example")
        client = Client()
        client.force_login(User.objects.get(email="admin@demo.example"))
        content = client.get(reverse("agreement_detail", args=[dana.pk])).content.decode()
        set_up = timezone.localtime(dana.created_at).date()
        assert f"on {set_up.day} {set_up:%B %Y}." in content
        assert set_up < timezone.localdate() - datetime.timedelta(days=30)
        assert dana.emergency_contact in content

    def test_demo_text_promises_nothing_the_app_does_not_send(self, demo):
        """No calendar invitation is ever sent, so no demo text may point to one."""
        constants = [getattr(demo_module, name) for name in dir(demo_module) if name.isupper()]
        texts = [text for constant in constants for text in demo_strings(constant)]
        assert len(texts) > 500
        assert [text for text in texts if "invitation" in text.lower()] == []
        locations = SupervisionSession.objects.values_list("location", flat=True)
        assert not [location for location in locations if "invitation" in location.lower()]

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
        # The limits changed lately: Sam has acknowledged them again, Chris not yet, so for now the
        # agreement opens nothing to Sam, though Chris shared with Sam before.
        waiting = awaiting[0]
        assert (waiting.supervisor.email, waiting.supervisee.email) == (
            "supervisor2@demo.example",
            "practitioner4@demo.example",
        )
        assert waiting.supervisor_acknowledged_at > timezone.now() - datetime.timedelta(days=7)
        assert set(agreements.active(today)) - set(agreements.in_force(today)) == {waiting}
        assert not Family.objects.visible_to(waiting.supervisor).filter(practitioners=waiting.supervisee).exists()
        chris = Reflection.objects.filter(author=waiting.supervisee)
        assert ReflectionShare.objects.filter(reflection__in=chris, supervisor=waiting.supervisor).exists()
        assert not Reflection.objects.visible_to(waiting.supervisor).filter(author=waiting.supervisee).exists()
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

    def test_demo_reflections_show_every_state(self, demo):
        now = timezone.now()
        for name in [DEMO, SECOND]:
            reflections = Reflection.objects.filter(organization__name=name)
            alive = reflections.alive()
            shares = list(ReflectionShare.objects.filter(reflection__in=alive))
            unread = {share.reflection_id for share in shares if not share.revoked_at and not share.first_read_at}
            read = {share.reflection_id for share in shares if not share.revoked_at and share.first_read_at}
            drafts = alive.filter(shares=None).select_related("family")
            assert drafts.count() >= 2 and unread and read
            # A draft about a family with a baby says nothing yet about the baby: sharing asks about them.
            assert any(reflections_services.baby_prompt(reflection) for reflection in drafts)
            assert any(len(reflection.touched()) <= 2 for reflection in drafts)
            # Short threads: the supervisor answers, and sometimes the practitioner replies.
            threads = alive.annotate(count=Count("responses")).filter(count__gt=0)
            assert threads.exists() and all(1 <= thread.count <= 3 for thread in threads)
            assert alive.filter(responses__author=F("shares__supervisor")).exists()
            assert alive.filter(responses__author=F("author")).exists()
            # Every save in a new sitting made a version; some were written in several sittings.
            several = alive.annotate(count=Count("versions")).filter(count__gte=2)
            assert several.exists()
            assert alive.filter(checkin_score__isnull=False).count() >= 5
            assert alive.filter(session__isnull=False, session__starts_at__gte=now).exists()
            assert reflections.filter(deleted_at__isnull=False).count() == 1
            authors = User.objects.filter(pk__in=alive.values("author"))
            assert any(
                reflections_services.with_new_responses(Reflection.objects.written_by(author), author)
                .filter(new_responses__gt=0)
                .exists()
                for author in authors
            )
        demo_reflections = Reflection.objects.filter(organization__name=DEMO).alive()
        assert demo_reflections.annotate(count=Count("versions")).filter(count__gte=3).exists()
        assert demo_reflections.filter(session__isnull=False, session__starts_at__lt=now).exists()
        [revoked] = ReflectionShare.objects.filter(revoked_at__isnull=False)
        assert revoked.first_read_at and revoked.last_read_at < revoked.revoked_at
        assert not revoked.reflection.shares.filter(revoked_at=None).exists()

    def test_every_demo_person_can_open_the_reflections_they_see(self, demo):
        client = Client()
        writers = User.objects.filter(organization__name__in=[DEMO, SECOND]).filter(
            Q(is_practitioner=True) | Q(is_supervisor=True)
        )
        opened = 0
        for person in writers:
            client.force_login(person)
            assert client.get(reverse("reflection_list")).status_code == 200
            for reflection in Reflection.objects.visible_to(person):
                assert client.get(reflection.get_absolute_url()).status_code == 200
                opened += 1
        assert opened > Reflection.objects.alive().count()  # supervisors read what was shared with them
        # An account administrator does not read reflective content, and sees none on the home page.
        client.force_login(User.objects.get(email="admin@demo.example"))
        assert "reflections_shared_unread" not in client.get(reverse("home")).context

    def test_demo_reflections_follow_the_rules_and_the_calendar(self, demo):
        reflections = Reflection.objects.all()
        assert reflections.count() == sum(len(specs) for specs in demo_module.REFLECTIONS.values())
        assert_reflections_follow_the_rules(reflections)
        assert_reflection_times(reflections)
        # A share for a group session goes to its facilitator, who has no agreement with the author.
        group_share = ReflectionShare.objects.get(reflection__session__group__isnull=False)
        assert group_share.supervisor == group_share.reflection.session.supervisor
        # Spread over about five months.
        oldest = timezone.now() - reflections.earliest("created_at").created_at
        assert datetime.timedelta(days=150) < oldest < datetime.timedelta(days=185)

    def test_demo_reflections_are_deidentified(self, demo):
        texts = reflection_texts(Reflection.objects.all())
        assert len(texts) > 200
        assert_deidentified(texts)

    def test_demo_practitioner_has_a_rich_set_of_reflections(self, demo):
        priya = User.objects.get(email="practitioner@demo.example")
        dana = User.objects.get(email="supervisor@demo.example")
        mine = Reflection.objects.written_by(priya)
        assert mine.count() >= 15
        # Six months of perspectives, with the baby's taking more room over time, and a check-in trend.
        months = reflections_services.perspectives_summary(priya)
        assert len(months) == 6 and all(month.total for month in months)
        assert months[-1].share("baby_experience") > months[0].share("baby_experience")
        checkins = reflections_services.checkin_trend(priya)
        assert len(checkins) >= 12 and {checkin.score for checkin in checkins} >= {2, 3, 4}

        client = Client()
        client.force_login(priya)
        home = client.get(reverse("home"))
        assert home.status_code == 200
        [answered] = home.context["reflections_with_responses"]
        assert answered.family.code == "JM-2"
        assert client.get(reverse("reflection_insights")).status_code == 200
        assert client.get(reverse("reflection_list")).status_code == 200
        deleted = client.get(reverse("reflection_deleted_list"))
        assert [reflection.family.code for reflection in deleted.context["page"]] == ["JM-2"]
        for reflection in mine.annotate(count=Count("versions")):
            assert client.get(reflection.get_absolute_url()).status_code == 200
            if reflection.count > 1:
                assert client.get(reverse("reflection_versions", args=[reflection.pk])).status_code == 200
        draft = mine.get(title="RT-4: first visit with the new baby")
        prompt = client.get(reverse("reflection_share", args=[draft.pk]))
        assert prompt.status_code == 200 and prompt.context["prompt"].child.label == "Baby T"

        # Her next session with Dana has a reflection shared for it, on Dana's preparation page.
        upcoming = (
            SupervisionSession.objects.filter(supervisor=dana, participants__user=priya, starts_at__gte=timezone.now())
            .exclude(status=Status.CANCELLED)
            .earliest("starts_at")
        )
        prepared = mine.get(session=upcoming)
        client.force_login(dana)
        page = client.get(reverse("session_prepare", args=[upcoming.pk]))
        assert prepared in page.context["shared_reflections"]
        assert len(client.get(reverse("home")).context["reflections_shared_unread"]) >= 3
        for email in ["supervisor2@demo.example", "supervisor@second.example"]:
            client.force_login(User.objects.get(email=email))
            assert client.get(reverse("home")).context["reflections_shared_unread"]

    def test_demo_sessions_were_set_and_documented_together(self, demo):
        now = timezone.now()
        for name in [DEMO, SECOND]:
            signed = SupervisionSession.objects.filter(organization__name=name, signed_at__isnull=False)
            # Past agendas were set by both people, before the session.
            past_items = AgendaItem.objects.filter(session__in=signed).select_related("session", "family")
            assert past_items.filter(author=F("session__supervisor")).exists()
            assert past_items.exclude(author=F("session__supervisor")).exists()
            for item in past_items:
                assert item.created_at < item.session.starts_at
                assert item.session.participants.filter(user=item.author).exists() or (
                    item.author_id == item.session.supervisor_id and item.family is None
                )
            # Some signed notes have a short thread of replies, by people of the session, after signing.
            replies = SessionReply.objects.filter(session__in=signed).select_related("session")
            threads = signed.annotate(count=Count("replies")).filter(count__gt=0)
            assert threads.exists() and all(1 <= thread.count <= 3 for thread in threads)
            for reply in replies:
                assert reply.session.signed_at <= reply.created_at <= now
                session = reply.session
                assert (
                    reply.author_id == session.supervisor_id or session.participants.filter(user=reply.author).exists()
                )
            assert_deidentified([*past_items.values_list("text", flat=True), *replies.values_list("text", flat=True)])
            # Notes were opened after signing, except the newest of one pair.
            seen = SessionParticipant.objects.filter(session__in=signed)
            assert not seen.filter(notes_seen_at__lt=F("session__signed_at")).exists()
        [unseen] = SupervisionSession.objects.signed_since_seen_by(User.objects.get(email="practitioner@demo.example"))
        assert unseen.supervisor.email == "supervisor@demo.example"
        client = Client()
        client.force_login(User.objects.get(email="practitioner@demo.example"))
        assert [session.pk for session in client.get(reverse("home")).context["notes_signed"]] == [unseen.pk]
        client.force_login(User.objects.get(email="practitioner2@demo.example"))
        assert client.get(reverse("home")).context["notes_signed"] == []

    def test_the_demo_supervisors_week_is_not_empty(self, demo):
        dana = User.objects.get(email="supervisor@demo.example")
        client = Client()
        client.force_login(dana)
        days = client.get(reverse("session_week")).context["days"]
        sessions = [session for day in days for session in day["sessions"]]
        # Those she leads, and her own supervision with Sam.
        assert {session.supervisor == dana for session in sessions} == {True, False}
        client.force_login(User.objects.get(email="practitioner@demo.example"))
        assert any(day["sessions"] for day in client.get(reverse("session_week")).context["days"])


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
        assert Reflection.objects.count() == sum(len(specs) for specs in demo_module.REFLECTIONS.values())
        assert_reflection_times(Reflection.objects.all())
        # A Sunday night: the week that ends now still has the demo supervisor's sessions in it.
        tz = zoneinfo.ZoneInfo(Organization.objects.get(name=DEMO).time_zone)
        monday = timezone.localdate(timezone=tz) - datetime.timedelta(days=timezone.localdate(timezone=tz).weekday())
        week = SupervisionSession.objects.visible_to(User.objects.get(email="supervisor@demo.example")).filter(
            starts_at__gte=datetime.datetime.combine(monday, datetime.time(), tzinfo=tz)
        )
        assert week.filter(starts_at__lt=timezone.now()).exists()


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
    closed = families.closed()
    assert not closed.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=timezone.now())).exists()
    assert not closed.exclude(closed_by=F("created_by")).exists()
    assert not families.open().filter(closed_at__isnull=False).exists()
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
    assert_agreements_set_up_before_acknowledged(agreements)

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

    # About REFLECTIONS_PER_FAMILY_MONTH reflections for each family while it was open, some for a session,
    # shared with the practitioner's supervisor, read, answered, and written in several sittings.
    reflections = Reflection.objects.filter(organization=volume)
    tz = zoneinfo.ZoneInfo(volume.time_zone)
    today = timezone.localdate(timezone=tz)
    first_day = scheduling.add_months(today, -2)
    open_days = 0
    for family in families:
        end = min(family.closed_on or today, today)
        open_days += max(0, (end - max(first_day, family.opened_on)).days)
    expected = open_days * demo_module.REFLECTIONS_PER_FAMILY_MONTH * 12 / 365.25
    assert expected > 30
    assert abs(reflections.count() - expected) < 30  # each family rounds its share up or down
    assert f"{reflections.alive().count():,} reflections" in output
    assert_reflections_follow_the_rules(reflections)
    assert_reflection_times(reflections)
    assert_deidentified(reflection_texts(reflections))
    shares = ReflectionShare.objects.filter(reflection__in=reflections)
    assert shares.filter(first_read_at=None).exists() and shares.filter(first_read_at__isnull=False).exists()
    assert ReflectionResponse.objects.filter(reflection__in=reflections).exists()
    assert reflections.filter(session__isnull=False).exists()
    assert reflections.filter(checkin_score__isnull=False).exists()
    assert reflections.annotate(count=Count("versions")).filter(count=2).exists()

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


def test_volume_reflection_sentences_are_deidentified():
    names = [
        {"child": child, "Child": child[0].upper() + child[1:], "carer": carer, "Carer": carer[0].upper() + carer[1:],
         "code": code}
        for child in ["K", "the baby"]
        for carer in demo_module.CARER_NAMES.values()
        for code in ["Blue 7", "AB-12"]
    ]  # fmt: skip
    pools = [pool for _chance, pool in demo_module.VOLUME_SECTIONS.values()]
    pools += [demo_module.VOLUME_TITLES, demo_module.VOLUME_RESPONSES, demo_module.VOLUME_REPLIES]
    texts = [sentence.format(**values) for pool in pools for sentence in pool for values in names]
    texts += [words for _score, words in demo_module.VOLUME_CHECKINS]
    assert_deidentified(texts)
