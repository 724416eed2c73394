"""The reflections service layer and model logic: who sees what, saving with versions and
conflicts, sharing and reading, responses, search, and the author's own summaries."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from rsc.models import (
    Child,
    Family,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    RSCGroup,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.reflections import BABY_QUESTIONS, SECTION_FIELDS, SECTIONS, ResponseDraft
from rsc.services import reflections as services
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged, make_person

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)  # a Monday

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only runs on PostgreSQL"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite fallback search")


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def at(moment: datetime.datetime):
    """Travel to another frozen moment for the length of a with block."""
    return time_machine.travel(moment, tick=False)


def later(minutes: int):
    return at(NOW + datetime.timedelta(minutes=minutes))


def write(author, sitting: str = "", **data) -> Reflection:
    return services.reflection_create(author=author, data=data, sitting=sitting)


def save(reflection: Reflection, actor=None, sitting: str = "", expected_revision: int | None = None, **data):
    """The reflection and whether anything changed (the count of redacted versions has its own tests)."""
    saved, changed, _redacted = services.reflection_save(
        reflection=reflection,
        actor=actor or reflection.author,
        data=data,
        expected_revision=reflection.revision if expected_revision is None else expected_revision,
        sitting=sitting,
    )
    return saved, changed


def share(reflection: Reflection, *supervisors) -> list[ReflectionShare]:
    return services.reflection_share(reflection=reflection, supervisors=list(supervisors))


def schedule(agreement, **overrides) -> list[SupervisionSession]:
    options = {
        "supervisor": agreement.supervisor,
        "agreement": agreement,
        "starts_at": datetime.datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO),
        "duration_minutes": 60,
        "modality": SupervisionSession.Modality.VIDEO,
    }
    options.update(overrides)
    return scheduling.sessions_schedule(**options)


def ids(queryset_or_list) -> set[int]:
    return {reflection.pk for reflection in queryset_or_list}


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    return family


@pytest.fixture
def session(agreement):
    (session,) = schedule(agreement)
    return session


# --- Who sees which reflection --------------------------------------------------------------


def test_a_new_reflection_is_the_authors_alone(practitioner, supervisor, other_practitioner, agreement):
    reflection = write(practitioner, what_happened="K pulled to stand at the sofa.")
    assert list(Reflection.objects.written_by(practitioner)) == [reflection]
    assert list(Reflection.objects.visible_to(practitioner)) == [reflection]
    assert not Reflection.objects.shared_with(practitioner).exists()
    # An agreement alone shows nothing to the supervisor: only sharing does.
    for person in (supervisor, other_practitioner):
        assert not Reflection.objects.visible_to(person).exists()
        assert not Reflection.objects.shared_with(person).exists()
        assert not Reflection.objects.written_by(person).exists()


def test_a_shared_reflection_is_visible_to_the_supervisor_only_while_the_share_is_active(
    practitioner, supervisor, other_supervisor, agreement
):
    reflection = write(practitioner, what_happened="We sat on the floor.")
    share(reflection, supervisor)
    assert list(Reflection.objects.shared_with(supervisor)) == [reflection]
    assert list(Reflection.objects.visible_to(supervisor)) == [reflection]
    assert not Reflection.objects.written_by(supervisor).exists()
    assert not Reflection.objects.visible_to(other_supervisor).exists()

    assert services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk) is True
    assert not Reflection.objects.shared_with(supervisor).exists()
    assert not Reflection.objects.visible_to(supervisor).exists()
    # Unsharing twice changes nothing and says so.
    assert services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk) is False
    assert list(Reflection.objects.visible_to(practitioner)) == [reflection]


def test_resharing_does_not_duplicate_the_reflection_in_lists(practitioner, supervisor, agreement):
    reflection = write(practitioner, what_happened="Again.")
    share(reflection, supervisor)
    services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk)
    share(reflection, supervisor)
    assert ReflectionShare.objects.filter(reflection=reflection).count() == 2
    assert list(Reflection.objects.visible_to(supervisor)) == [reflection]
    assert list(Reflection.objects.shared_with(supervisor)) == [reflection]


def test_deleted_reflections_are_never_visible(practitioner, supervisor, agreement):
    reflection = write(practitioner, what_happened="Something I regret writing.")
    share(reflection, supervisor)
    services.reflection_delete(reflection=reflection)
    for queryset in (
        Reflection.objects.written_by(practitioner),
        Reflection.objects.visible_to(practitioner),
        Reflection.objects.shared_with(supervisor),
        Reflection.objects.visible_to(supervisor),
    ):
        assert not queryset.exists()
    services.reflection_restore(reflection=reflection)
    assert list(Reflection.objects.visible_to(supervisor)) == [reflection]


def test_another_organization_never_sees_a_reflection_even_with_a_share_row(
    practitioner, stranger, stranger_supervisor
):
    reflection = write(practitioner, what_happened="Ours alone.")
    # A share with someone elsewhere cannot happen through the services; even if it did:
    ReflectionShare.objects.create(reflection=reflection, supervisor=stranger_supervisor)
    for person in (stranger, stranger_supervisor):
        assert not Reflection.objects.visible_to(person).exists()
        assert not Reflection.objects.shared_with(person).exists()
        assert not Reflection.objects.written_by(person).exists()


def test_inactive_and_anonymous_people_see_nothing(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Private.")
    share(reflection, supervisor)
    practitioner.is_active = False
    supervisor.is_active = False
    for person in (practitioner, supervisor, AnonymousUser()):
        assert not Reflection.objects.written_by(person).exists()
        assert not Reflection.objects.visible_to(person).exists()
        assert not Reflection.objects.shared_with(person).exists()


def test_the_author_is_never_in_their_own_shared_with(supervisor):
    reflection = write(supervisor, what_happened="A supervisor reflects too.")
    ReflectionShare.objects.create(reflection=reflection, supervisor=supervisor)
    assert not Reflection.objects.shared_with(supervisor).exists()
    assert list(Reflection.objects.visible_to(supervisor)) == [reflection]


# --- Creating and saving --------------------------------------------------------------------


def test_create_starts_at_revision_one_with_one_version(practitioner, family, session):
    reflection = write(
        practitioner,
        sitting="s1",
        title="Floor time",
        what_happened="We sat on the floor.",
        family=family,
        session=session,
        checkin_score=3,
        checkin_words="tired",
    )
    reflection = Reflection.objects.get(pk=reflection.pk)
    assert reflection.revision == 1
    assert reflection.organization_id == practitioner.organization_id
    assert (reflection.family, reflection.session) == (family, session)
    assert (reflection.checkin_score, reflection.checkin_words) == (3, "tired")
    assert reflection.created_at == reflection.updated_at == NOW
    (version,) = reflection.versions.all()
    assert version.number == 1
    assert version.title == "Floor time"
    assert version.saved_by == practitioner
    assert version.sitting == "s1"
    assert version.sections == {field: getattr(reflection, field) for field in SECTION_FIELDS}


def test_saving_without_changes_keeps_the_revision(practitioner):
    reflection = write(practitioner, sitting="s1", what_happened="Same.", checkin_score=2)
    with later(5):
        current, changed = save(reflection, sitting="s1", what_happened="Same.", checkin_score=2, title="")
    assert changed is False
    assert current.revision == 1
    stored = Reflection.objects.get(pk=reflection.pk)
    assert stored.revision == 1
    assert stored.updated_at == NOW
    assert stored.versions.get().saved_at == NOW


def test_saving_a_change_bumps_the_revision_once(practitioner):
    reflection = write(practitioner, sitting="s1", what_happened="First words.")
    with later(5):
        current, changed = save(reflection, sitting="s1", what_happened="Second words.", own_response="Relief.")
    assert changed is True
    assert current.revision == 2
    stored = Reflection.objects.get(pk=reflection.pk)
    assert stored.revision == 2
    assert (stored.what_happened, stored.own_response) == ("Second words.", "Relief.")
    assert stored.updated_at == NOW + datetime.timedelta(minutes=5)
    assert stored.created_at == NOW


def test_a_stale_revision_raises_a_conflict_and_changes_nothing(practitioner):
    reflection = write(practitioner, sitting="tab-a", what_happened="Original.")
    first_tab = Reflection.objects.get(pk=reflection.pk)
    second_tab = Reflection.objects.get(pk=reflection.pk)
    with later(1):
        save(first_tab, sitting="tab-a", what_happened="From the first tab.")
    with later(2), pytest.raises(services.ReflectionConflict) as raised:
        save(second_tab, sitting="tab-b", expected_revision=1, what_happened="From the second tab.", checkin_score=1)
    assert raised.value.current.pk == reflection.pk
    assert raised.value.current.revision == 2
    assert raised.value.current.what_happened == "From the first tab."
    stored = Reflection.objects.get(pk=reflection.pk)
    assert stored.revision == 2
    assert stored.what_happened == "From the first tab."
    assert stored.checkin_score is None
    assert stored.updated_at == NOW + datetime.timedelta(minutes=1)
    assert list(stored.versions.values_list("sitting", flat=True)) == ["tab-a"]


def test_autosaves_in_one_sitting_update_one_version_in_place(practitioner):
    reflection = write(practitioner, sitting="s1", what_happened="A")
    for minute, text in ((1, "AB"), (2, "ABC"), (3, "ABCD")):
        with later(minute):
            reflection, changed = save(reflection, sitting="s1", what_happened=text, title=f"T{minute}")
            assert changed
    (version,) = ReflectionVersion.objects.filter(reflection=reflection)
    assert version.number == 1
    assert version.sections["what_happened"] == "ABCD"
    assert version.title == "T3"
    assert version.started_at == NOW
    assert version.saved_at == NOW + datetime.timedelta(minutes=3)
    assert reflection.revision == 4


def test_a_new_sitting_starts_a_new_version(practitioner):
    reflection = write(practitioner, sitting="monday", what_happened="Monday's words.")
    with later(60):
        reflection, _ = save(reflection, sitting="tuesday", what_happened="Tuesday's words.")
    with later(61):
        reflection, _ = save(reflection, sitting="tuesday", what_happened="Tuesday's words, more.")
    versions = list(reflection.versions.order_by("number"))
    assert [(v.number, v.sitting, v.sections["what_happened"]) for v in versions] == [
        (1, "monday", "Monday's words."),
        (2, "tuesday", "Tuesday's words, more."),
    ]
    assert versions[1].started_at == NOW + datetime.timedelta(minutes=60)


def test_saves_without_a_sitting_each_keep_a_version(practitioner):
    reflection = write(practitioner, what_happened="One")
    with later(1):
        reflection, _ = save(reflection, what_happened="Two")
    with later(2):
        reflection, _ = save(reflection, what_happened="Three")
    assert list(reflection.versions.order_by("number").values_list("number", flat=True)) == [1, 2, 3]


def test_a_supervisors_read_after_the_save_starts_a_new_version_in_the_same_sitting(practitioner, supervisor):
    reflection = write(practitioner, sitting="s1", what_happened="Before the read.")
    share(reflection, supervisor)
    with later(1):
        services.mark_read(reflection=reflection, reader=supervisor)
    with later(2):
        reflection, _ = save(reflection, sitting="s1", what_happened="After the read.")
    with later(3):
        reflection, _ = save(reflection, sitting="s1", what_happened="After the read, more.")
    versions = list(reflection.versions.order_by("number"))
    # What the supervisor read is kept as it was; later autosaves add to the new version.
    assert [v.sections["what_happened"] for v in versions] == ["Before the read.", "After the read, more."]
    assert [v.number for v in versions] == [1, 2]


def test_a_read_before_a_sitting_began_does_not_split_it(practitioner, supervisor):
    reflection = write(practitioner, sitting="s0", what_happened="One.")
    share(reflection, supervisor)
    with later(1):
        services.mark_read(reflection=reflection, reader=supervisor)
    with later(2):
        reflection, _ = save(reflection, sitting="s1", what_happened="Two.")
    with later(3):
        reflection, _ = save(reflection, sitting="s1", what_happened="Three.")
    versions = list(reflection.versions.order_by("number"))
    assert [(v.number, v.sections["what_happened"]) for v in versions] == [(1, "One."), (2, "Three.")]
    assert versions[1].started_at == NOW + datetime.timedelta(minutes=2)


def test_another_person_saving_in_the_same_sitting_gets_their_own_version(practitioner, supervisor):
    reflection = write(practitioner, sitting="s1", what_happened="Mine.")
    with later(1):
        reflection, _ = save(reflection, actor=supervisor, sitting="s1", what_happened="Theirs.")
    assert [(v.number, v.saved_by) for v in reflection.versions.order_by("number")] == [
        (1, practitioner),
        (2, supervisor),
    ]


def test_changing_only_checkin_family_or_session_keeps_the_versions(practitioner, family, session):
    reflection = write(practitioner, sitting="s1", what_happened="Text.")
    with later(10):
        reflection, changed = save(
            reflection, sitting="s2", checkin_score=2, checkin_words="heavy", family=family, session=session
        )
    assert changed is True
    assert reflection.revision == 2
    stored = Reflection.objects.get(pk=reflection.pk)
    assert (stored.checkin_score, stored.checkin_words, stored.family, stored.session) == (2, "heavy", family, session)
    (version,) = stored.versions.all()
    assert version.saved_at == NOW
    assert version.sitting == "s1"


def test_versions_never_contain_the_checkin(practitioner):
    reflection = write(
        practitioner, sitting="s1", what_happened="Text.", checkin_score=1, checkin_words="Overwhelmed-today"
    )
    with later(1):
        reflection, _ = save(reflection, sitting="s2", checkin_words="Still-overwhelmed", own_response="Hard day.")
    versions = list(ReflectionVersion.objects.filter(reflection=reflection))
    assert len(versions) == 2
    for version in versions:
        assert set(version.sections) == set(SECTION_FIELDS)
        stored = json.dumps(version.sections) + version.title
        assert "verwhelmed" not in stored
        assert not any(hasattr(version, name) for name in ("checkin_score", "checkin_words"))


def test_keep_passages_remembers_each_passage_once(practitioner):
    reflection = write(practitioner, what_happened="Text.")
    services.keep_passages(reflection=reflection, passages=["Maple Street", "Tuesday"])
    services.keep_passages(reflection=reflection, passages=["Tuesday", "Ms. K"])
    assert reflection.kept_passages == ["Maple Street", "Tuesday", "Ms. K"]
    assert Reflection.objects.get(pk=reflection.pk).kept_passages == ["Maple Street", "Tuesday", "Ms. K"]


# --- What the author may attach and share with ----------------------------------------------


def test_supervisors_for_sharing_are_those_with_an_active_agreement(
    organization, practitioner, supervisor, other_supervisor, agreement
):
    reflection = write(practitioner, what_happened="Text.")
    assert list(services.supervisors_for_sharing(reflection)) == [supervisor]

    ended = make_person(organization, "ended@riverbend.example", "Ended Supervisor", User.Role.SUPERVISOR)
    future = make_person(organization, "future@riverbend.example", "Future Supervisor", User.Role.SUPERVISOR)
    last_day = make_person(organization, "last@riverbend.example", "Last-Day Supervisor", User.Role.SUPERVISOR)
    today = timezone.localdate()
    for person, starts_on, ends_on in (
        (ended, datetime.date(2025, 1, 1), today - datetime.timedelta(days=1)),
        (future, today + datetime.timedelta(days=1), None),
        (last_day, datetime.date(2025, 1, 1), today),
    ):
        SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=person,
            supervisee=practitioner,
            starts_on=starts_on,
            ends_on=ends_on,
            **acknowledged(),
        )
    assert list(services.supervisors_for_sharing(reflection)) == [last_day, supervisor]
    assert other_supervisor not in services.supervisors_for_sharing(reflection)


def test_supervisors_for_sharing_leave_out_inactive_people_and_other_organizations(
    organization, other_organization, practitioner, supervisor, stranger_supervisor, agreement
):
    SupervisionAgreement.objects.create(
        organization=other_organization,
        supervisor=stranger_supervisor,
        supervisee=practitioner,
        starts_on=datetime.date(2026, 1, 1),
    )
    reflection = write(practitioner, what_happened="Text.")
    assert list(services.supervisors_for_sharing(reflection)) == [supervisor]
    supervisor.is_active = False
    supervisor.save()
    assert not services.supervisors_for_sharing(reflection).exists()


def test_supervisors_for_sharing_include_the_sessions_supervisor(
    organization, practitioner, supervisor, other_supervisor, agreement
):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=other_supervisor)
    group.members.add(practitioner)
    (group_session,) = scheduling.sessions_schedule(
        supervisor=other_supervisor,
        group=group,
        starts_at=NOW + datetime.timedelta(days=1),
        duration_minutes=90,
        modality="in_person",
    )
    reflection = write(practitioner, what_happened="Text.", session=group_session)
    # The facilitator has no agreement with the author, but leads the session.
    assert list(services.supervisors_for_sharing(reflection)) == [other_supervisor, supervisor]

    group_session.deleted_at = timezone.now()
    group_session.save()
    reflection = Reflection.objects.get(pk=reflection.pk)
    assert list(services.supervisors_for_sharing(reflection)) == [supervisor]


def test_supervisors_for_sharing_never_include_the_author(organization, supervisor, other_supervisor):
    # A supervisor writing about a session they lead, and supervised themselves by another.
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=supervisor,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    group = RSCGroup.objects.create(organization=organization, name="Circle", facilitator=supervisor)
    (led,) = scheduling.sessions_schedule(
        supervisor=supervisor, group=group, starts_at=NOW, duration_minutes=60, modality="video"
    )
    reflection = write(supervisor, what_happened="Leading is hard.", session=led)
    assert list(services.supervisors_for_sharing(reflection)) == [other_supervisor]


def test_families_for_author_are_the_assigned_ones_open_or_closed(
    organization, other_organization, practitioner, other_practitioner
):
    def make(org, code, **extra):
        family = Family.objects.create(organization=org, code=code, context=Family.Context.OTHER, **extra)
        return family

    open_family = make(organization, "B-2")
    closed = make(organization, "A-1", opened_on=datetime.date(2025, 1, 1), closed_on=datetime.date(2026, 1, 1))
    deleted = make(organization, "C-3", deleted_at=timezone.now())
    others = make(organization, "D-4")
    elsewhere = make(other_organization, "E-5")
    for family in (open_family, closed, deleted, elsewhere):
        family.practitioners.add(practitioner)
    others.practitioners.add(other_practitioner)
    assert list(services.families_for_author(practitioner)) == [closed, open_family]
    assert list(services.families_for_author(other_practitioner)) == [others]


def test_sessions_for_author_are_recent_or_soon_taken_part_in_and_not_cancelled(
    organization, practitioner, supervisor, other_practitioner, agreement
):
    def at_offset(**delta):
        # Counted in elapsed time from now, whatever daylight saving does meanwhile.
        (session,) = schedule(agreement, starts_at=timezone.now() + datetime.timedelta(**delta))
        return session

    earliest = at_offset(days=-92)
    too_early = at_offset(days=-92, minutes=-1)
    latest = at_offset(days=62)
    too_late = at_offset(days=62, minutes=1)
    soon = at_offset(days=2)
    cancelled = at_offset(days=3)
    scheduling.session_cancel(session=cancelled, actor=supervisor, reason="Holiday")
    deleted = at_offset(days=4)
    deleted.deleted_at = timezone.now()
    deleted.save()
    theirs = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=other_practitioner,
        starts_on=agreement.starts_on,
        **acknowledged(),
    )
    schedule(theirs, starts_at=NOW + datetime.timedelta(days=1))

    assert list(services.sessions_for_author(practitioner)) == [earliest, soon, latest]
    assert too_early not in services.sessions_for_author(practitioner)
    assert too_late not in services.sessions_for_author(practitioner)
    # Leading a session is not taking part in it.
    assert not services.sessions_for_author(supervisor).exists()


# --- Holding the baby in mind ---------------------------------------------------------------


def add_child(family, label, year, month, expected=False) -> Child:
    return Child.objects.create(
        family=family, label=label, birth_month=datetime.date(year, month, 1), expected=expected
    )


def test_no_baby_prompt_without_a_family(practitioner):
    assert services.baby_prompt(write(practitioner, what_happened="Text.")) is None


def test_baby_prompt_names_the_youngest_young_child(practitioner, family):
    add_child(family, "Big", 2024, 6)
    baby = add_child(family, "K", 2025, 1)
    reflection = write(practitioner, what_happened="Text.", family=family, baby_experience="   ")
    prompt = services.baby_prompt(reflection)
    assert prompt.child == baby
    assert baby.age_text() == "14 months"
    expected = str(BABY_QUESTIONS[reflection.pk % len(BABY_QUESTIONS)]) % {"child": "K", "age": "14 months"}
    assert prompt.question == expected
    assert "K (14 months)" in prompt.question


def test_no_baby_prompt_once_the_baby_section_has_text(practitioner, family):
    add_child(family, "K", 2025, 1)
    reflection = write(practitioner, family=family, baby_experience="K watched the door.")
    assert services.baby_prompt(reflection) is None


def test_no_baby_prompt_when_every_child_is_three_or_older(practitioner, family):
    add_child(family, "Big", 2022, 5)
    three_today = add_child(family, "Three", 2023, 3)
    assert three_today.age_in_months() == 36
    reflection = write(practitioner, what_happened="Text.", family=family)
    assert services.baby_prompt(reflection) is None
    almost_three = add_child(family, "Almost", 2023, 4)
    assert services.baby_prompt(reflection).child == almost_three


def test_a_baby_on_the_way_counts_as_the_youngest(practitioner, family):
    add_child(family, "K", 2025, 1)
    expected = add_child(family, "Bean", 2026, 6, expected=True)
    reflection = write(practitioner, what_happened="Text.", family=family)
    prompt = services.baby_prompt(reflection)
    assert prompt.child == expected
    assert expected.age_text() == "due in 15 weeks"
    assert "Bean (due in 15 weeks)" in prompt.question


# --- Sharing, reading and responding --------------------------------------------------------


def test_sharing_again_with_an_active_share_does_nothing(practitioner, supervisor, other_supervisor):
    reflection = write(practitioner, what_happened="Text.")
    (first,) = share(reflection, supervisor)
    assert first.is_active and first.shared_at == NOW
    with later(5):
        created = share(reflection, supervisor, other_supervisor)
    assert [s.supervisor for s in created] == [other_supervisor]
    assert share(reflection, supervisor, supervisor, other_supervisor) == []
    assert ReflectionShare.objects.filter(reflection=reflection).count() == 2
    assert ReflectionShare.objects.get(pk=first.pk).shared_at == NOW


def test_the_same_supervisor_twice_in_one_call_is_shared_once(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    created = share(reflection, supervisor, supervisor)
    assert len(created) == 1
    assert ReflectionShare.objects.filter(reflection=reflection, revoked_at__isnull=True).count() == 1


def test_resharing_after_unsharing_adds_a_new_share_and_keeps_the_old_one(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    (old,) = share(reflection, supervisor)
    with later(1):
        services.mark_read(reflection=reflection, reader=supervisor)
    with later(2):
        services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk)
    with later(3):
        (new,) = share(reflection, supervisor)
    old.refresh_from_db()
    assert new.pk != old.pk
    assert not old.is_active
    assert old.revoked_at == NOW + datetime.timedelta(minutes=2)
    assert old.first_read_at == NOW + datetime.timedelta(minutes=1)
    assert new.is_active and new.first_read_at is None
    assert new.shared_at == NOW + datetime.timedelta(minutes=3)


def test_mark_read_sets_the_first_read_once_and_the_last_read_each_time(practitioner, supervisor, other_supervisor):
    reflection = write(practitioner, what_happened="Text.")
    (active,) = share(reflection, supervisor)
    with later(1):
        services.mark_read(reflection=reflection, reader=supervisor)
    with later(30):
        services.mark_read(reflection=reflection, reader=supervisor)
    active.refresh_from_db()
    assert active.first_read_at == NOW + datetime.timedelta(minutes=1)
    assert active.last_read_at == NOW + datetime.timedelta(minutes=30)
    # Someone without a share leaves no trace; the author's seen time is untouched.
    services.mark_read(reflection=reflection, reader=other_supervisor)
    assert ReflectionShare.objects.filter(reflection=reflection).count() == 1
    assert Reflection.objects.get(pk=reflection.pk).author_seen_at is None


def test_mark_read_does_not_touch_a_revoked_share(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    (revoked,) = share(reflection, supervisor)
    services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk)
    with later(1):
        services.mark_read(reflection=reflection, reader=supervisor)
    revoked.refresh_from_db()
    assert revoked.first_read_at is None and revoked.last_read_at is None


def test_mark_read_by_the_author_records_when_they_saw_the_responses(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    (active,) = share(reflection, supervisor)
    with later(7):
        services.mark_read(reflection=reflection, reader=practitioner)
    assert Reflection.objects.get(pk=reflection.pk).author_seen_at == NOW + datetime.timedelta(minutes=7)
    active.refresh_from_db()
    assert active.first_read_at is None and active.last_read_at is None


def new_responses(author) -> dict[int, int]:
    annotated = services.with_new_responses(Reflection.objects.written_by(author), author)
    return dict(annotated.values_list("pk", "new_responses"))


def test_new_responses_count_only_others_after_the_author_last_looked(
    practitioner, supervisor, other_supervisor, other_practitioner
):
    reflection = write(practitioner, what_happened="Text.")
    quiet = write(practitioner, what_happened="Nobody answered.")
    share(reflection, supervisor, other_supervisor)
    with later(1):
        services.response_add(reflection=reflection, author=supervisor, text="I wonder too.")
        services.response_add(reflection=reflection, author=practitioner, text="Thank you.")
    # Never seen: every response by someone else is new.
    assert new_responses(practitioner) == {reflection.pk: 1, quiet.pk: 0}
    with later(2):
        services.mark_read(reflection=reflection, reader=practitioner)
    assert new_responses(practitioner) == {reflection.pk: 0, quiet.pk: 0}
    with later(3):
        services.response_add(reflection=reflection, author=supervisor, text="One more thought.")
        services.response_add(reflection=reflection, author=other_supervisor, text="And mine.")
        services.response_add(reflection=reflection, author=practitioner, text="Mine does not count.")
    assert new_responses(practitioner) == {reflection.pk: 2, quiet.pk: 0}
    # Another author's reflections are not in the author's list at all.
    assert new_responses(other_practitioner) == {}


def test_adding_a_response_clears_only_the_responders_draft(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    share(reflection, supervisor)
    services.response_draft_save(reflection=reflection, author=supervisor, text="Half a thought")
    services.response_draft_save(reflection=reflection, author=practitioner, text="My reply in progress")
    response = services.response_add(reflection=reflection, author=supervisor, text="A whole thought.")
    assert ReflectionResponse.objects.get() == response
    assert (response.author, response.text, response.created_at) == (supervisor, "A whole thought.", NOW)
    assert list(ResponseDraft.objects.values_list("author", "text")) == [(practitioner.pk, "My reply in progress")]


def test_saving_a_response_draft_updates_the_one_draft(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    first = services.response_draft_save(reflection=reflection, author=supervisor, text="Half")
    with later(1):
        second = services.response_draft_save(reflection=reflection, author=supervisor, text="Half a thought")
    assert second.pk == first.pk
    draft = ResponseDraft.objects.get(reflection=reflection, author=supervisor)
    assert draft.text == "Half a thought"
    assert draft.updated_at == NOW + datetime.timedelta(minutes=1)


def test_latest_activity_is_the_newest_response(practitioner, supervisor):
    reflection = write(practitioner, what_happened="Text.")
    quiet = write(practitioner, what_happened="Quiet.")
    with later(1):
        services.response_add(reflection=reflection, author=supervisor, text="One.")
    with later(9):
        services.response_add(reflection=reflection, author=practitioner, text="Two.")
    annotated = dict(services.latest_activity(Reflection.objects.all()).values_list("pk", "last_response_at"))
    assert annotated == {reflection.pk: NOW + datetime.timedelta(minutes=9), quiet.pk: None}


# --- Shared reading before a session --------------------------------------------------------


def test_shared_for_session_lists_what_the_supervisor_should_read(
    organization, practitioner, other_practitioner, supervisor, agreement, session
):
    (other_session,) = schedule(agreement, starts_at=NOW + datetime.timedelta(days=16))

    def shared(minute, **data):
        with later(minute):
            reflection = write(data.pop("author", practitioner), **data)
            share(reflection, supervisor)
        return reflection

    for_session_read = shared(1, what_happened="For this session, read.", session=session)
    services.mark_read(reflection=for_session_read, reader=supervisor)
    unread_loose = shared(2, what_happened="No session, unread.")
    read_loose = shared(3, what_happened="No session, read.")
    services.mark_read(reflection=read_loose, reader=supervisor)
    shared(4, what_happened="Another session, unread.", session=other_session)
    revoked = shared(5, what_happened="Unshared.", session=session)
    services.reflection_unshare(reflection=revoked, supervisor_id=supervisor.pk)
    write(practitioner, what_happened="Never shared.", session=session)
    deleted = shared(6, what_happened="Deleted.", session=session)
    services.reflection_delete(reflection=deleted)
    shared(7, author=other_practitioner, what_happened="Not a participant.")

    result = services.shared_for_session(session, supervisor, [practitioner.pk])
    assert result == [unread_loose, for_session_read]


# --- Search ---------------------------------------------------------------------------------


@pytest.fixture
def library(organization, practitioner, other_practitioner, family):
    """Reflections to search, written a minute apart (newest last)."""
    family.practitioners.add(other_practitioner)
    blue = Family.objects.create(organization=organization, code="Blue 7", context=Family.Context.OTHER)
    entries = {
        "crawling": {
            "title": "Crawling together",
            "what_happened": "K was crawling toward her mother.",
            "own_response": "I felt hopeful.",
        },
        "bedtime": {"title": "Bedtime", "caregiver_experience": "Mother felt tired and alone."},
        "mat": {"next_steps": "Bring the crawling mat next time."},
        "family": {"what_happened": "A quiet visit.", "family": family},
        "blue": {"wondering": "What does the silence mean?", "family": blue},
    }
    made = {}
    for minute, (name, data) in enumerate(entries.items()):
        with later(minute):
            made[name] = write(practitioner, **data)
    with later(10):
        made["theirs"] = write(other_practitioner, what_happened="Crawling and mother and tired.", family=family)
        made["deleted"] = write(practitioner, what_happened="Crawling, deleted.", family=family)
        services.reflection_delete(reflection=made["deleted"])
    return made


def found(query: str, user) -> list[Reflection]:
    return list(services.search(Reflection.objects.written_by(user), query))


def test_an_empty_query_returns_the_queryset_unchanged(practitioner, library):
    queryset = Reflection.objects.written_by(practitioner)
    for query in ("", "   ", "\t\n"):
        assert services.search(queryset, query) is queryset


def test_every_word_must_appear_somewhere(practitioner, library):
    assert found("crawling hopeful", practitioner) == [library["crawling"]]
    assert ids(found("CRAWLING hopeFUL", practitioner)) == {library["crawling"].pk}
    assert ids(found("crawling", practitioner)) == {library["crawling"].pk, library["mat"].pk}
    assert ids(found("mother", practitioner)) == {library["crawling"].pk, library["bedtime"].pk}
    assert found("crawling tired", practitioner) == []
    assert found("elephant", practitioner) == []


def test_a_family_code_finds_that_familys_reflections(practitioner, library):
    assert found("jm-2", practitioner) == [library["family"]]
    assert found("Blue 7", practitioner) == [library["blue"]]


def test_search_never_widens_the_queryset(practitioner, other_practitioner, supervisor, library):
    for query in ("crawling", "jm-2", "mother tired"):
        results = found(query, practitioner)
        assert library["theirs"] not in results
        assert library["deleted"] not in results
    assert found("crawling", other_practitioner) == [library["theirs"]]
    assert found("crawling", supervisor) == []
    assert list(services.search(Reflection.objects.none(), "crawling")) == []
    only_bedtime = Reflection.objects.filter(pk=library["bedtime"].pk)
    assert list(services.search(only_bedtime, "mother")) == [library["bedtime"]]
    assert list(services.search(only_bedtime, "jm-2")) == []


def test_very_long_or_odd_queries_do_not_crash(practitioner, library):
    assert ids(found("crawling " * 2000, practitioner)) == {library["crawling"].pk, library["mat"].pk}
    assert found("x" * 10000, practitioner) == []
    for odd in ('"unclosed', "-", "or", "the", "% _ \\ ' ; --", "(crawling) & | ! <->", "crawling:*", "ÆØÅ 日本語"):
        results = found(odd, practitioner)
        assert ids(results) <= ids(Reflection.objects.written_by(practitioner))


def test_search_keeps_the_annotations_of_the_list(practitioner, supervisor, agreement, library):
    share(library["crawling"], supervisor)
    with later(30):
        services.response_add(reflection=library["crawling"], author=supervisor, text="What a moment.")
    listed = services.with_new_responses(Reflection.objects.visible_to(practitioner), practitioner)
    results = list(services.search(listed, "crawling hopeful"))
    assert [(r.pk, r.new_responses) for r in results] == [(library["crawling"].pk, 1)]
    assert list(services.search(Reflection.objects.visible_to(supervisor), "crawling")) == [library["crawling"]]


@on_sqlite
def test_sqlite_search_matches_parts_of_words_newest_first(practitioner, library):
    assert found("crawl", practitioner) == [library["mat"], library["crawling"]]
    # No stemming here: a different form of the word is not found.
    assert found("crawled", practitioner) == []


@on_postgresql
def test_postgresql_search_finds_other_forms_of_a_word(practitioner, library):
    assert ids(found("crawled", practitioner)) == {library["crawling"].pk, library["mat"].pk}
    assert ids(found("mothers", practitioner)) == {library["crawling"].pk, library["bedtime"].pk}


@on_postgresql
def test_postgresql_search_understands_websearch_syntax(practitioner, library):
    assert found("crawling -mother", practitioner) == [library["mat"]]
    assert found('"toward her mother"', practitioner) == [library["crawling"]]
    assert found('"mother toward"', practitioner) == []
    assert ids(found("hopeful or tired", practitioner)) == {library["crawling"].pk, library["bedtime"].pk}


@on_postgresql
def test_postgresql_search_ranks_title_matches_first(practitioner, library):
    # The mat reflection is newer, but "crawling" is in the other one's title.
    results = found("crawling", practitioner)
    assert results == [library["crawling"], library["mat"]]
    assert results[0].rank > results[1].rank > 0


# --- The author's own summaries -------------------------------------------------------------


def written_at(author, moment, **data) -> Reflection:
    with at(moment):
        return write(author, **data)


def test_perspectives_summary_counts_six_local_months_oldest_first(practitioner, other_practitioner):
    feb = datetime.datetime(2026, 2, 10, 12, tzinfo=CHICAGO)
    written_at(practitioner, feb, baby_experience="Watching.", own_response="Moved.")
    written_at(practitioner, feb, caregiver_experience="Tired.", baby_experience="   ")
    written_at(practitioner, feb, what_happened="Only what happened.")
    written_at(practitioner, datetime.datetime(2025, 11, 20, tzinfo=CHICAGO), own_response="Me.")
    written_at(practitioner, NOW, baby_experience="Today.")
    # Older than six months, someone else's, and deleted ones do not count.
    written_at(practitioner, datetime.datetime(2025, 9, 15, tzinfo=CHICAGO), baby_experience="Old.")
    written_at(other_practitioner, feb, baby_experience="Theirs.")
    services.reflection_delete(reflection=written_at(practitioner, feb, baby_experience="Deleted."))

    with timezone.override(CHICAGO):
        months = services.perspectives_summary(practitioner)
    assert [m.month for m in months] == [datetime.date(2025, m, 1) for m in (10, 11, 12)] + [
        datetime.date(2026, m, 1) for m in (1, 2, 3)
    ]
    summary = {m.month.strftime("%Y-%m"): (m.total, m.counts) for m in months}
    empty = {"baby_experience": 0, "caregiver_experience": 0, "own_response": 0}
    assert summary == {
        "2025-10": (0, empty),
        "2025-11": (1, {**empty, "own_response": 1}),
        "2025-12": (0, empty),
        "2026-01": (0, empty),
        "2026-02": (3, {"baby_experience": 1, "caregiver_experience": 1, "own_response": 1}),
        "2026-03": (1, {**empty, "baby_experience": 1}),
    }
    february = months[4]
    assert [february.share(field) for field in services.SUMMARY_FIELDS] == [33, 33, 33]
    assert months[5].share("baby_experience") == 100
    assert months[0].share("baby_experience") == 0


def test_perspectives_summary_buckets_by_the_readers_time_zone(practitioner):
    # 9.30 pm on the last evening of February in Chicago is already March 1st in Tokyo.
    written_at(practitioner, datetime.datetime(2026, 2, 28, 21, 30, tzinfo=CHICAGO), baby_experience="Late.")
    # 11.30 pm on the last evening of September in Chicago is October in Tokyo (and UTC).
    written_at(practitioner, datetime.datetime(2025, 9, 30, 23, 30, tzinfo=CHICAGO), own_response="Edge.")

    with timezone.override(CHICAGO):
        chicago = {m.month: m.total for m in services.perspectives_summary(practitioner)}
    with timezone.override(TOKYO):
        tokyo = {m.month: m.total for m in services.perspectives_summary(practitioner)}
    assert chicago[datetime.date(2026, 2, 1)] == 1 and chicago[datetime.date(2026, 3, 1)] == 0
    assert chicago[datetime.date(2025, 10, 1)] == 0
    assert tokyo[datetime.date(2026, 2, 1)] == 0 and tokyo[datetime.date(2026, 3, 1)] == 1
    assert tokyo[datetime.date(2025, 10, 1)] == 1
    assert len(chicago) == len(tokyo) == 6


def test_perspectives_summary_can_cover_other_lengths(practitioner):
    with timezone.override(CHICAGO):
        months = services.perspectives_summary(practitioner, months=14)
    assert [m.month for m in months][:2] == [datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)]
    assert months[-1].month == datetime.date(2026, 3, 1)
    assert len(months) == 14
    assert all(m.total == 0 for m in months)


def test_checkin_trend_is_the_authors_latest_oldest_first(practitioner, other_practitioner):
    first = written_at(practitioner, datetime.datetime(2026, 2, 1, 12, tzinfo=CHICAGO), checkin_score=2)
    # Late evening in Chicago: the day shown is the local one.
    second = written_at(
        practitioner, datetime.datetime(2026, 2, 27, 23, 30, tzinfo=CHICAGO), checkin_score=4, checkin_words="lighter"
    )
    third = written_at(practitioner, datetime.datetime(2026, 3, 1, 8, tzinfo=CHICAGO), checkin_score=5)
    written_at(practitioner, datetime.datetime(2026, 3, 1, 9, tzinfo=CHICAGO), what_happened="No check-in.")
    written_at(other_practitioner, datetime.datetime(2026, 3, 1, 10, tzinfo=CHICAGO), checkin_score=1)
    deleted = written_at(practitioner, datetime.datetime(2026, 3, 1, 11, tzinfo=CHICAGO), checkin_score=1)
    services.reflection_delete(reflection=deleted)

    with timezone.override(CHICAGO):
        trend = services.checkin_trend(practitioner)
        limited = services.checkin_trend(practitioner, limit=2)
    assert [(c.reflection_id, c.score, c.day) for c in trend] == [
        (first.pk, 2, datetime.date(2026, 2, 1)),
        (second.pk, 4, datetime.date(2026, 2, 27)),
        (third.pk, 5, datetime.date(2026, 3, 1)),
    ]
    assert trend[1].words == "lighter"
    assert [c.reflection_id for c in limited] == [second.pk, third.pk]
    with timezone.override(TOKYO):
        assert services.checkin_trend(practitioner)[1].day == datetime.date(2026, 2, 28)


# --- Model helpers and constraints ----------------------------------------------------------


def test_heading_is_the_title_when_there_is_one():
    assert Reflection(title="  Floor time  ", what_happened="Text.").heading == "Floor time"


def test_heading_falls_back_to_the_first_section_with_words():
    reflection = Reflection(what_happened="   \n ", baby_experience="  K   watched\nthe door.  ", own_response="Later")
    assert reflection.heading == "K watched the door."


def test_heading_truncates_long_text_to_seventy_characters():
    exactly = "x" * 70
    assert Reflection(what_happened=exactly).heading == exactly
    long = Reflection(what_happened="word " * 30).heading
    assert len(long) <= 70
    assert long.endswith("…")
    assert long == ("word " * 30)[:69].rstrip() + "…"
    assert Reflection(what_happened="y" * 71).heading == "y" * 69 + "…"


def test_heading_of_an_empty_reflection():
    assert Reflection(title="   ", checkin_words="fine").heading == "Untitled reflection"


def test_touched_lists_the_sections_with_words_in_order():
    reflection = Reflection(next_steps="Call.", baby_experience="Watched.", own_response="   ")
    assert [section.field for section in reflection.touched()] == ["baby_experience", "next_steps"]
    assert all(section in SECTIONS for section in reflection.touched())
    assert Reflection().touched() == []


def test_has_text_ignores_whitespace_and_the_checkin():
    assert Reflection(title="A title").has_text
    assert Reflection(wondering="Why?").has_text
    assert not Reflection(title="  ", what_happened="\n", checkin_score=3, checkin_words="ok").has_text


@pytest.mark.parametrize("score", [0, 6])
def test_checkin_scores_outside_one_to_five_are_refused_by_the_database(practitioner, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reflection.objects.create(organization=practitioner.organization, author=practitioner, checkin_score=score)
    assert not Reflection.objects.exists()


@pytest.mark.parametrize("score", [None, 1, 5])
def test_checkin_scores_within_range_are_kept(practitioner, score):
    reflection = Reflection.objects.create(
        organization=practitioner.organization, author=practitioner, checkin_score=score
    )
    assert Reflection.objects.get(pk=reflection.pk).checkin_score == score


def test_only_one_active_share_per_supervisor(practitioner, supervisor, other_supervisor):
    reflection = write(practitioner, what_happened="Text.")
    ReflectionShare.objects.create(reflection=reflection, supervisor=supervisor, revoked_at=timezone.now())
    ReflectionShare.objects.create(reflection=reflection, supervisor=supervisor, revoked_at=timezone.now())
    ReflectionShare.objects.create(reflection=reflection, supervisor=supervisor)
    ReflectionShare.objects.create(reflection=reflection, supervisor=other_supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReflectionShare.objects.create(reflection=reflection, supervisor=supervisor)
    assert ReflectionShare.objects.filter(reflection=reflection, supervisor=supervisor).count() == 3
