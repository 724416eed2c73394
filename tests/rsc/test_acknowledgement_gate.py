"""Privacy at the edges: an agreement opens nothing until both people have acknowledged it, a share
lasts only as long as the relationship that allowed it, and administrators hear when another
administrator makes themselves someone's supervisor."""

import datetime
import html
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc import audit
from rsc.access import NOTICE_LIMIT, notices_for_admin
from rsc.forms.agreements import limits_digest
from rsc.models import AuditEvent, Family, Reflection, RSCGroup, SupervisionAgreement, SupervisionSession
from rsc.services import agreements as agreements_services
from rsc.services import reflections as services
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged, make_person, mark_reauthenticated

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)
TODAY = NOW.date()
YESTERDAY = TODAY - datetime.timedelta(days=1)
Action = AuditEvent.Action
RecordType = AuditEvent.RecordType


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(
        organization=organization, code="JM-2", context=Family.Context.HOME_VISITING, opened_on=TODAY
    )
    family.practitioners.add(practitioner)
    return family


def signed_in(client, person):
    client.force_login(person)
    mark_reauthenticated(client, person)
    return client


def text(response) -> str:
    """The page's words, as a person reads them."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(content).split())


def acknowledge(client, agreement, person) -> None:
    """The person acknowledges the agreement on its page, as they would in the browser."""
    agreement.refresh_from_db()
    signed_in(client, person)
    response = client.post(
        reverse("agreement_acknowledge", args=[agreement.pk]), {"seen": limits_digest(agreement.confidentiality_limits)}
    )
    assert response.status_code == 302


def change_the_limits(agreement) -> None:
    """An administrator changes the limits of confidentiality: both must acknowledge again."""
    assert agreements_services.agreement_update(agreement=agreement, confidentiality_limits="New words to read.")
    agreement.refresh_from_db()
    assert agreement.supervisor_acknowledged_at is None and agreement.supervisee_acknowledged_at is None


def write(author, **fields) -> Reflection:
    return services.reflection_create(author=author, data={"what_happened": "We sat on the floor.", **fields})


def share(reflection, *supervisors) -> None:
    services.reflection_share(reflection=reflection, supervisors=list(supervisors))


def family_codes(client) -> list[str]:
    response = client.get(reverse("family_list"), {"state": "all"})
    assert response.status_code == 200
    return [family.code for family in response.context["page"].object_list]


# --- The families: not before both have acknowledged ---------------------------------------


@pytest.mark.parametrize("first", ["supervisor", "practitioner"])
def test_the_supervisor_sees_the_family_only_once_both_have_acknowledged(
    client, request, supervisor, practitioner, unacknowledged_agreement, family, first
):
    detail = reverse("family_detail", args=[family.pk])
    signed_in(client, supervisor)
    assert client.get(detail).status_code == 404
    assert family_codes(client) == []

    first_person = request.getfixturevalue(first)
    second_person = practitioner if first_person == supervisor else supervisor
    acknowledge(client, unacknowledged_agreement, first_person)
    signed_in(client, supervisor)
    assert client.get(detail).status_code == 404
    assert family_codes(client) == []
    assert not Family.objects.visible_to(supervisor).exists()

    acknowledge(client, unacknowledged_agreement, second_person)
    signed_in(client, supervisor)
    assert client.get(detail).status_code == 200
    assert family_codes(client) == ["JM-2"]


def test_changed_terms_close_the_families_until_both_acknowledge_again(
    client, supervisor, practitioner, agreement, family
):
    detail = reverse("family_detail", args=[family.pk])
    signed_in(client, supervisor)
    assert client.get(detail).status_code == 200
    change_the_limits(agreement)
    assert client.get(detail).status_code == 404
    assert family_codes(client) == []
    acknowledge(client, agreement, supervisor)
    assert client.get(detail).status_code == 404
    acknowledge(client, agreement, practitioner)
    signed_in(client, supervisor)
    assert client.get(detail).status_code == 200


def test_an_agreement_that_has_not_started_or_has_ended_opens_nothing_even_acknowledged(
    organization, supervisor, practitioner, family
):
    for starts_on, ends_on in [(TODAY + datetime.timedelta(days=1), None), (datetime.date(2026, 1, 1), YESTERDAY)]:
        agreement = SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=supervisor,
            supervisee=practitioner,
            starts_on=starts_on,
            ends_on=ends_on,
            confidentiality_limits="Mandated reporting applies.",
            **acknowledged(),
        )
        assert not agreement.is_in_force()
        assert not SupervisionAgreement.objects.in_force().exists()
        assert not Family.objects.visible_to(supervisor).exists()
        agreement.delete()


# --- Sharing and scheduling: not before both have acknowledged -----------------------------


def test_a_reflection_can_be_shared_with_the_supervisor_only_once_both_have_acknowledged(
    client, supervisor, practitioner, unacknowledged_agreement
):
    reflection = write(practitioner)
    url = reverse("reflection_share", args=[reflection.pk])
    signed_in(client, practitioner)
    assert list(client.get(url).context["form"].fields["supervisors"].queryset) == []
    assert client.post(url, {"supervisors": [supervisor.pk]}).status_code == 200
    assert not reflection.shares.exists()

    acknowledge(client, unacknowledged_agreement, supervisor)
    signed_in(client, practitioner)
    assert list(client.get(url).context["form"].fields["supervisors"].queryset) == []
    acknowledge(client, unacknowledged_agreement, practitioner)
    assert list(client.get(url).context["form"].fields["supervisors"].queryset) == [supervisor]
    assert client.post(url, {"supervisors": [supervisor.pk]}).status_code == 302
    assert list(reflection.shares.values_list("supervisor", flat=True)) == [supervisor.pk]


def schedule_data(agreement, **overrides) -> dict:
    data = {
        "agreement": agreement.pk,
        "date": (TODAY + datetime.timedelta(days=3)).isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "modality": SupervisionSession.Modality.VIDEO,
        "location": "Room 2",
    }
    data.update(overrides)
    return data


def test_sessions_are_scheduled_only_under_an_agreement_both_have_acknowledged(
    client, supervisor, practitioner, unacknowledged_agreement
):
    url = reverse("session_create")
    signed_in(client, supervisor)
    assert list(client.get(url).context["form"].fields["agreement"].queryset) == []
    response = client.post(url, schedule_data(unacknowledged_agreement))
    assert response.status_code == 200 and response.context["form"].errors
    assert not SupervisionSession.objects.exists()

    acknowledge(client, unacknowledged_agreement, practitioner)
    signed_in(client, supervisor)
    assert list(client.get(url).context["form"].fields["agreement"].queryset) == []
    acknowledge(client, unacknowledged_agreement, supervisor)
    assert list(client.get(url).context["form"].fields["agreement"].queryset) == [unacknowledged_agreement]
    assert client.post(url, schedule_data(unacknowledged_agreement)).status_code == 302
    assert SupervisionSession.objects.get().agreement == unacknowledged_agreement


def test_the_preparation_page_shows_shared_reflections_only_while_the_agreement_is_in_force(
    client, supervisor, practitioner, agreement, family
):
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=NOW + datetime.timedelta(days=2),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
    )
    reflection = write(practitioner, title="For Wednesday", family=family, session=session)
    share(reflection, supervisor)
    url = reverse("session_prepare", args=[session.pk])
    signed_in(client, supervisor)
    assert list(client.get(url).context["shared_reflections"]) == [reflection]

    change_the_limits(agreement)
    # The session stays the supervisor's; what the practitioner shared waits for both acknowledgements.
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["shared_reflections"]) == []
    assert "For Wednesday" not in text(response)
    acknowledge(client, agreement, supervisor)
    assert list(client.get(url).context["shared_reflections"]) == []
    acknowledge(client, agreement, practitioner)
    signed_in(client, supervisor)
    assert list(client.get(url).context["shared_reflections"]) == [reflection]


def test_the_author_is_told_who_supervises_them_only_while_the_agreement_is_in_force(
    supervisor, practitioner, agreement
):
    reflection = write(practitioner)
    share(reflection, supervisor)
    audit.record(None, Action.READ, reflection, actor=supervisor)
    assert [reader.supervises_author for reader in services.readers(reflection)] == [True]
    agreements_services.agreement_end(agreement=agreement, ends_on=YESTERDAY)
    assert [reader.supervises_author for reader in services.readers(reflection)] == [False]


# --- The agreement page says what it is waiting for ----------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "practitioner", "admin_user"])
def test_the_agreement_page_says_whose_acknowledgement_it_waits_for_and_that_it_opens_nothing_yet(
    client, request, persona, supervisor, practitioner, unacknowledged_agreement
):
    url = reverse("agreement_detail", args=[unacknowledged_agreement.pk])
    no_access = (
        "Until both Sasha Supervisor and Pat Practitioner have acknowledged it, this agreement gives no access to "
        "families or shared reflections, and no sessions can be scheduled under it."
    )
    reader = request.getfixturevalue(persona)
    page = text(signed_in(client, reader).get(url))
    assert "Waiting for Sasha Supervisor’s and Pat Practitioner’s acknowledgements" in page
    assert no_access in page

    acknowledge(client, unacknowledged_agreement, supervisor)
    page = text(signed_in(client, reader).get(url))
    assert "Waiting for Pat Practitioner’s acknowledgement" in page
    assert "Sasha Supervisor’s" not in page
    assert no_access in page

    acknowledge(client, unacknowledged_agreement, practitioner)
    page = text(signed_in(client, reader).get(url))
    assert "’s acknowledgement" not in page and "no access" not in page


def test_an_ended_agreement_waits_for_nobody(client, supervisor, unacknowledged_agreement):
    url = reverse("agreement_detail", args=[unacknowledged_agreement.pk])
    assert "acknowledgements" in text(signed_in(client, supervisor).get(url))
    agreements_services.agreement_end(agreement=unacknowledged_agreement, ends_on=YESTERDAY)
    page = text(client.get(url))
    assert "’s acknowledgement" not in page and "no access" not in page


# --- A share ends with the relationship that allowed it ------------------------------------


def reflection_pages(client, reflection) -> dict[str, int]:
    """What the supervisor gets from each page of the reflection."""
    return {
        "detail": client.get(reverse("reflection_detail", args=[reflection.pk])).status_code,
        "versions": client.get(reverse("reflection_versions", args=[reflection.pk])).status_code,
        "respond": client.post(reverse("response_create", args=[reflection.pk]), {"text": "Thank you."}).status_code,
        "draft": client.post(reverse("response_draft", args=[reflection.pk]), {"text": "Thinking…"}).status_code,
    }


OPEN = {"detail": 200, "versions": 200, "respond": 302, "draft": 200}
CLOSED = {"detail": 404, "versions": 404, "respond": 404, "draft": 404}


def test_a_share_ends_with_the_agreement_and_comes_back_with_a_new_one_both_acknowledged(
    client, organization, supervisor, practitioner, agreement
):
    reflection = write(practitioner, title="Bath time")
    share(reflection, supervisor)
    signed_in(client, supervisor)
    assert reflection_pages(client, reflection) == OPEN

    agreements_services.agreement_end(agreement=agreement, ends_on=YESTERDAY)
    # Written after the agreement ended: not theirs to read either.
    services.reflection_save(
        reflection=reflection, actor=practitioner, data={"what_happened": "Later words."}, expected_revision=1
    )
    assert reflection_pages(client, reflection) == CLOSED
    assert not Reflection.objects.shared_with(supervisor).exists()
    assert not Reflection.objects.visible_to(supervisor).exists()
    response = client.get(reverse("reflection_list"))
    assert list(response.context["page"].object_list) == []
    assert reflection.responses.count() == 1

    renewed = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=practitioner,
        starts_on=TODAY,
        confidentiality_limits="Mandated reporting applies.",
    )
    signed_in(client, supervisor)
    assert reflection_pages(client, reflection) == CLOSED
    acknowledge(client, renewed, supervisor)
    acknowledge(client, renewed, practitioner)
    signed_in(client, supervisor)
    assert reflection_pages(client, reflection) == OPEN


def test_changed_terms_close_the_shares_until_both_acknowledge_again(client, supervisor, practitioner, agreement):
    reflection = write(practitioner)
    share(reflection, supervisor)
    change_the_limits(agreement)
    signed_in(client, supervisor)
    assert reflection_pages(client, reflection) == CLOSED
    acknowledge(client, agreement, supervisor)
    acknowledge(client, agreement, practitioner)
    signed_in(client, supervisor)
    assert reflection_pages(client, reflection) == OPEN


def test_a_share_with_a_group_facilitator_lasts_while_the_group_meets_with_the_author(
    client, organization, practitioner, other_supervisor
):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=other_supervisor)
    group.members.add(practitioner)
    reflection = write(practitioner)
    share(reflection, other_supervisor)
    signed_in(client, other_supervisor)
    assert reflection_pages(client, reflection) == OPEN

    RSCGroup.objects.filter(pk=group.pk).update(is_active=False)
    assert reflection_pages(client, reflection) == CLOSED
    RSCGroup.objects.filter(pk=group.pk).update(is_active=True)
    assert client.get(reverse("reflection_detail", args=[reflection.pk])).status_code == 200
    group.members.remove(practitioner)
    assert reflection_pages(client, reflection) == CLOSED


def test_the_session_supervisor_is_offered_for_sharing_only_while_they_facilitate_the_authors_group(
    organization, practitioner, other_supervisor
):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=other_supervisor)
    group.members.add(practitioner)
    (session,) = scheduling.sessions_schedule(
        supervisor=other_supervisor,
        group=group,
        starts_at=NOW + datetime.timedelta(days=1),
        duration_minutes=90,
        modality=SupervisionSession.Modality.IN_PERSON,
    )
    reflection = write(practitioner, session=session)
    assert list(services.supervisors_for_sharing(reflection)) == [other_supervisor]
    RSCGroup.objects.filter(pk=group.pk).update(is_active=False)
    assert list(services.supervisors_for_sharing(reflection)) == []
    RSCGroup.objects.filter(pk=group.pk).update(is_active=True)
    group.members.remove(practitioner)
    assert list(services.supervisors_for_sharing(reflection)) == []


def test_what_a_supervisor_may_read_is_asked_in_one_query(
    organization, supervisor, practitioner, other_practitioner, agreement, family, django_assert_num_queries
):
    group = RSCGroup.objects.create(organization=organization, name="Circle", facilitator=supervisor)
    group.members.add(other_practitioner)
    for author in (practitioner, other_practitioner, practitioner):
        share(write(author), supervisor)
    # Shared by someone the supervisor no longer supervises: not theirs to read.
    former = make_person(organization, "fay@riverbend.example", "Fay Former", User.Role.PRACTITIONER)
    share(write(former), supervisor)
    # One query each, however many reflections, agreements and groups: the rules are EXISTS subqueries.
    with django_assert_num_queries(1):
        assert len(list(Reflection.objects.visible_to(supervisor))) == 3
    with django_assert_num_queries(1):
        assert len(list(Reflection.objects.shared_with(supervisor))) == 3
    with django_assert_num_queries(1):
        assert list(Family.objects.visible_to(supervisor)) == [family]


# --- Administrators who make themselves supervisors ----------------------------------------


@pytest.fixture
def admin_supervisor(organization):
    """An administrator who also holds the supervisor role."""
    return make_person(organization, "jo@riverbend.example", "Jo Both", User.Role.ADMINISTRATOR, User.Role.SUPERVISOR)


def agreement_post(supervisor, supervisee) -> dict:
    return {
        "supervisor": supervisor.pk,
        "supervisee": supervisee.pk,
        "starts_on": TODAY.isoformat(),
        "ends_on": "",
        "format": "individual",
        "cadence": "fortnightly",
        "usual_minutes": "60",
        "counts_toward_endorsement": "on",
        "confidentiality_limits": "Mandated reporting applies.",
    }


def test_an_administrator_recording_themselves_as_supervisor_is_marked_in_the_trail(
    client, admin_supervisor, supervisor, practitioner, other_practitioner, family
):
    signed_in(client, admin_supervisor)
    response = client.post(reverse("agreement_create"), agreement_post(admin_supervisor, practitioner))
    assert response.status_code == 302
    mine = SupervisionAgreement.objects.get(supervisor=admin_supervisor)
    event = AuditEvent.objects.get(action=Action.CREATE, record_type=RecordType.AGREEMENT, record_id=mine.pk)
    assert event.detail == {"supervisor": admin_supervisor.pk, "supervisee": practitioner.pk, "self_supervisor": True}
    # And it still opens nothing until the practitioner, too, has acknowledged it.
    acknowledge(client, mine, admin_supervisor)
    signed_in(client, admin_supervisor)
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404

    signed_in(client, admin_supervisor)
    assert client.post(reverse("agreement_create"), agreement_post(supervisor, other_practitioner)).status_code == 302
    theirs = SupervisionAgreement.objects.get(supervisor=supervisor)
    event = AuditEvent.objects.get(action=Action.CREATE, record_type=RecordType.AGREEMENT, record_id=theirs.pk)
    assert "self_supervisor" not in event.detail


def role_change(actor, person, old, new, *, at=None, **extra) -> AuditEvent:
    """A role change as the people pages record it (at that moment), written straight into the trail."""
    with time_machine.travel(at or timezone.now(), tick=False):
        return audit.record(None, Action.ROLE_CHANGE, person, actor=actor, detail={"old": old, "new": new, **extra})


def test_administrators_hear_when_another_administrator_makes_themselves_a_supervisor(
    client, admin_user, admin_supervisor, practitioner, django_assert_num_queries
):
    signed_in(client, admin_supervisor)
    client.post(reverse("agreement_create"), agreement_post(admin_supervisor, practitioner))
    agreement = SupervisionAgreement.objects.get()
    clock_later = NOW + datetime.timedelta(hours=1)
    role_change(
        admin_supervisor,
        admin_supervisor,
        ["administrator"],
        ["supervisor", "administrator"],
        at=clock_later,
        self=True,
    )

    with django_assert_num_queries(1):
        notices = notices_for_admin(admin_user)
    assert [(notice.kind, notice.actor_name, notice.at) for notice in notices] == [
        ("role", "Jo Both", clock_later),
        ("agreement", "Jo Both", NOW),
    ]
    assert notices[0].url == reverse("person_detail", args=[admin_supervisor.pk])
    assert notices[1].url == reverse("agreement_detail", args=[agreement.pk])
    # Not told about one's own doing, and nobody but administrators is told anything.
    assert notices_for_admin(admin_supervisor) == []
    assert notices_for_admin(practitioner) == []


def test_only_making_oneself_a_supervisor_is_a_notice(
    organization, other_organization, admin_user, admin_supervisor, practitioner, stranger_admin, clock
):
    # Someone else's roles changed: an administrator's everyday work.
    role_change(admin_supervisor, practitioner, ["practitioner"], ["practitioner", "supervisor"])
    # Already a supervisor, or giving the role up.
    role_change(admin_supervisor, admin_supervisor, ["supervisor"], ["supervisor", "practitioner"], self=True)
    role_change(admin_supervisor, admin_supervisor, ["supervisor", "administrator"], ["administrator"], self=True)
    # Recording an agreement for two other people.
    audit.record(
        None,
        Action.CREATE,
        record_type=RecordType.AGREEMENT,
        record_id=99,
        actor=admin_supervisor,
        detail={"supervisor": 1, "supervisee": 2},
    )
    # Another organization's administrator.
    role_change(stranger_admin, stranger_admin, ["administrator"], ["administrator", "supervisor"], self=True)
    # More than sixty days ago.
    role_change(
        admin_supervisor,
        admin_supervisor,
        ["administrator"],
        ["administrator", "supervisor"],
        self=True,
        at=NOW - datetime.timedelta(days=61),
    )
    assert notices_for_admin(admin_user) == []
    # An event recorded before role changes were marked "self" still counts: actor and person are one.
    role_change(admin_supervisor, admin_supervisor, ["administrator"], ["administrator", "supervisor"])
    assert [notice.kind for notice in notices_for_admin(admin_user)] == ["role"]
    assert notices_for_admin(stranger_admin) == []


def test_notices_are_the_newest_few(admin_user, admin_supervisor, clock):
    for hour in range(NOTICE_LIMIT + 5):
        role_change(
            admin_supervisor, admin_supervisor, [], ["supervisor"], at=NOW + datetime.timedelta(hours=hour), self=True
        )
    notices = notices_for_admin(admin_user)
    assert len(notices) == NOTICE_LIMIT
    assert notices[0].at == NOW + datetime.timedelta(hours=NOTICE_LIMIT + 4)
    assert [notice.at for notice in notices] == sorted((notice.at for notice in notices), reverse=True)


def test_a_notice_names_someone_who_left_by_their_address(admin_user, admin_supervisor):
    role_change(admin_supervisor, admin_supervisor, [], ["supervisor"], self=True)
    User.objects.filter(pk=admin_supervisor.pk).update(full_name="")
    assert [notice.actor_name for notice in notices_for_admin(admin_user)] == ["jo@riverbend.example"]
    assert timezone.is_aware(notices_for_admin(admin_user)[0].at)
