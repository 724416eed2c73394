"""Mass assignment (security.md 3): every form, through its view, refuses the ids a person may
not use and ignores fields it does not offer.

The ids are real: the colleague's family, session, group and reflection; the unrelated
supervisor's agreement; the other organization's family, session, agreement, group and
people (tests/security/world.py, rich world). The fields nobody is offered (author,
organization, is_account_admin, supervisor, …) are posted alongside valid data and must
change nothing. Each test says which form classes it covers; a form without a test fails.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.forms import (
    InviteForm,
    OrganizationSettingsForm,
    PeopleFilterForm,
    ProfileForm,
    RolesForm,
    SetPasswordForm,
)
from accounts.models import Organization, User
from rsc.forms.agreements import (
    AcknowledgeForm,
    AgreementCreateForm,
    AgreementEndForm,
    AgreementFilterForm,
    AgreementTermsForm,
    GroupForm,
    limits_digest,
)
from rsc.forms.audit import AuditFilterForm
from rsc.forms.families import CaregiverForm, ChildForm, FamilyCloseForm, FamilyFilterForm, FamilyForm, RowForm
from rsc.forms.reflections import ReflectionForm, ResponseDraftForm, ResponseForm, SearchForm, ShareForm, UnshareForm
from rsc.forms.sessions import (
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    FollowUpForm,
    NotesForm,
    ReopenForm,
    RescheduleForm,
    ScheduleForm,
    SessionReplyForm,
    SessionTimeForm,
)
from rsc.models import (
    AgendaItem,
    Caregiver,
    Child,
    Family,
    FollowUp,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ResponseDraft,
    RSCGroup,
    SessionParticipant,
    SessionReply,
    SupervisionAgreement,
    SupervisionSession,
)
from tests.security.form_cases import BASE_FORMS, family_page, form_key, project_forms
from tests.security.world import World

COVERED: dict[str, list[str]] = {}


def covers(*form_classes):
    """Register the test as the mass-assignment test of these form classes."""

    def register(test):
        for form_class in form_classes:
            COVERED.setdefault(form_key(form_class), []).append(test.__name__)
        return test

    return register


# Fields no form offers, with values that would matter if they were used.
def hostile_extras(world: World) -> dict:
    theirs, stranger = world.theirs, world.people["stranger"]
    return {
        "id": theirs["colleague_family"].pk,
        "pk": theirs["colleague_family"].pk,
        "organization": world.other_organization.pk,
        "organization_id": world.other_organization.pk,
        "author": world.people["colleague"].pk,
        "author_id": world.people["colleague"].pk,
        "created_by": stranger.pk,
        "supervisor": stranger.pk,
        "supervisee": theirs["stranger_supervisee"].pk,
        "is_account_admin": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "is_supervisor": "on",
        "email": "taken-over@evil.example",
        "deleted_at": "2020-01-01",
        "signed_at": "2020-01-01T00:00",
        "status": "held",
        "practitioners": [world.people["colleague"].pk, stranger.pk],
    }


def post(world: World, persona: str, url: str, data: dict):
    return world.client_for(persona).post(url, data)


def today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


# Families -----------------------------------------------------------------------------------


@covers(FamilyForm)
@pytest.mark.parametrize("colleague", ["stranger", "unrelated_supervisor", "former", "invited"])
def test_a_new_family_refuses_colleagues_who_may_not_serve_it(rich_world, colleague):
    person = rich_world.people.get(colleague) or getattr(rich_world, colleague)
    response = post(rich_world, "owner", reverse("family_create"), {**family_page(rich_world), "colleagues": person.pk})
    assert response.status_code == 200
    assert not Family.objects.filter(code="NEW-1").exists()


@covers(FamilyForm)
def test_a_new_family_ignores_owner_organization_and_assignment_fields(rich_world):
    data = {**hostile_extras(rich_world), **family_page(rich_world)}
    response = post(rich_world, "owner", reverse("family_create"), data)
    assert response.status_code == 302
    family = Family.objects.get(code="NEW-1")
    assert family.organization == rich_world.organization
    assert family.created_by == rich_world.people["owner"]
    assert list(family.practitioners.all()) == [rich_world.people["owner"]]
    assert family.deleted_at is None
    assert Family.objects.get(pk=rich_world.theirs["colleague_family"].pk).code == "QC-1"


@covers(
    ChildForm,
    CaregiverForm,
    RowForm,
)
@pytest.mark.parametrize("prefix", ["children", "caregivers"])
def test_an_edit_cannot_reach_another_familys_children_or_caregivers(rich_world, prefix):
    theirs = rich_world.theirs["colleague_family"]
    row = (theirs.children if prefix == "children" else theirs.caregivers).get()
    data = {
        "code": rich_world.family.code,
        "context": rich_world.family.context,
        "opened_on": rich_world.family.opened_on.isoformat(),
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": row.pk,
        f"{prefix}-0-family": theirs.pk,
        f"{prefix}-0-label": "HIJACK",
        f"{prefix}-0-birth_month": "2025-01",
        f"{prefix}-0-relationship": "father",
        f"{prefix}-0-DELETE": "",
        **{f"{other}-{name}": "0" for other in {"children", "caregivers"} - {prefix} for name in ("TOTAL_FORMS",)},
        **{f"{other}-INITIAL_FORMS": "0" for other in {"children", "caregivers"} - {prefix}},
    }
    post(rich_world, "owner", reverse("family_edit", args=[rich_world.family.pk]), data)
    row.refresh_from_db()
    assert row.label != "HIJACK"
    assert row.family_id == theirs.pk
    # Deleting it through the owner's family fails the same way.
    data[f"{prefix}-0-DELETE"] = "on"
    post(rich_world, "owner", reverse("family_edit", args=[rich_world.family.pk]), data)
    model = Child if prefix == "children" else Caregiver
    assert model.objects.filter(pk=row.pk, family=theirs).exists()


@covers(FamilyCloseForm)
def test_closing_closes_only_the_family_in_the_address(rich_world):
    data = {"closed_on": today(), "family": rich_world.theirs["colleague_family"].pk, **hostile_extras(rich_world)}
    response = post(rich_world, "owner", reverse("family_close", args=[rich_world.family.pk]), data)
    assert response.status_code == 302
    assert Family.objects.get(pk=rich_world.family.pk).closed_on is not None
    assert Family.objects.get(pk=rich_world.theirs["colleague_family"].pk).closed_on is None
    # The colleague's family through its own address: 404, and still open.
    response = post(rich_world, "owner", reverse("family_close", args=[rich_world.theirs["colleague_family"].pk]), data)
    assert response.status_code == 404
    assert Family.objects.get(pk=rich_world.theirs["colleague_family"].pk).closed_on is None


@covers(FamilyFilterForm)
def test_family_filters_never_widen_the_list(rich_world):
    searches = [("owner", "QC", "QC-1"), ("owner", "FH", "FH-9"), ("stranger", "OWNFAM", rich_world.family.code)]
    for persona, query, theirs in searches:
        for state in ("open", "closed", "all", "nonsense"):
            response = rich_world.client_for(persona).get(
                reverse("family_list"), {"q": query, "state": state, "context": "", "organization": 0}
            )
            assert theirs not in response.content.decode()


# Agreements and groups ----------------------------------------------------------------------


def agreement_data(supervisor: User, supervisee: User, **overrides) -> dict:
    return {
        "supervisor": supervisor.pk,
        "supervisee": supervisee.pk,
        "starts_on": today(),
        "ends_on": "",
        "format": "individual",
        "cadence": "fortnightly",
        "usual_minutes": "60",
        "counts_toward_endorsement": "on",
        "confidentiality_limits": "Limits.",
        **overrides,
    }


@covers(AgreementCreateForm)
@pytest.mark.parametrize(
    ("supervisor", "supervisee"),
    [
        ("stranger", "colleague"),
        ("supervisor", "stranger"),
        ("supervisor", "stranger_supervisee"),
        ("colleague", "owner"),  # not a supervisor
        ("supervisor", "former"),  # deactivated
    ],
)
def test_an_agreement_refuses_people_outside_the_organization_or_their_roles(rich_world, supervisor, supervisee):
    def person(name):
        return rich_world.people.get(name) or rich_world.theirs.get(name) or getattr(rich_world, name)

    before = SupervisionAgreement.objects.count()
    response = post(
        rich_world, "admin", reverse("agreement_create"), agreement_data(person(supervisor), person(supervisee))
    )
    assert response.status_code == 200
    assert SupervisionAgreement.objects.count() == before


@covers(AgreementCreateForm)
def test_a_new_agreement_ignores_organization_author_and_acknowledgements(rich_world):
    data = {
        **hostile_extras(rich_world),
        "supervisor_acknowledged_at": "2020-01-01T00:00",
        "supervisee_acknowledged_at": "2020-01-01T00:00",
        **agreement_data(rich_world.people["supervisor"], rich_world.people["colleague"]),
    }
    assert post(rich_world, "admin", reverse("agreement_create"), data).status_code == 302
    agreement = SupervisionAgreement.objects.order_by("-pk").first()
    assert agreement.organization == rich_world.organization
    assert agreement.created_by == rich_world.people["admin"]
    assert (agreement.supervisor_acknowledged_at, agreement.supervisee_acknowledged_at) == (None, None)


@covers(AgreementTermsForm)
def test_editing_the_terms_never_changes_the_people_or_organization(rich_world):
    agreement = rich_world.agreement
    data = agreement_data(rich_world.people["unrelated_supervisor"], rich_world.people["colleague"])
    data.update(hostile_extras(rich_world), starts_on=agreement.starts_on.isoformat(), confidentiality_limits="New.")
    data.pop("supervisor_acknowledged_at", None)
    response = post(rich_world, "admin", reverse("agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.confidentiality_limits == "New."
    assert (agreement.supervisor, agreement.supervisee) == (rich_world.people["supervisor"], rich_world.people["owner"])
    assert agreement.organization == rich_world.organization


@covers(AgreementEndForm)
def test_ending_an_agreement_ends_only_the_one_in_the_address(rich_world):
    data = {"ends_on": today(1), "agreement": rich_world.theirs["colleague_agreement"].pk, **hostile_extras(rich_world)}
    response = post(rich_world, "admin", reverse("agreement_end", args=[rich_world.agreement.pk]), data)
    assert response.status_code == 302
    assert SupervisionAgreement.objects.get(pk=rich_world.agreement.pk).ends_on is not None
    assert SupervisionAgreement.objects.get(pk=rich_world.theirs["colleague_agreement"].pk).ends_on is None
    assert SupervisionAgreement.objects.get(pk=rich_world.agreement.pk).supervisor == rich_world.people["supervisor"]


@covers(AcknowledgeForm)
def test_acknowledging_records_only_the_person_who_posts(rich_world):
    agreement = rich_world.agreement
    # The world's agreements are in force; these two wait for acknowledgements again.
    SupervisionAgreement.objects.filter(pk__in=[agreement.pk, rich_world.theirs["colleague_agreement"].pk]).update(
        supervisor_acknowledged_at=None, supervisee_acknowledged_at=None
    )
    data = {
        "seen": limits_digest(agreement.confidentiality_limits),
        "user": rich_world.people["owner"].pk,
        "supervisee_acknowledged_at": "2020-01-01T00:00",
        **hostile_extras(rich_world),
    }
    assert (
        post(rich_world, "supervisor", reverse("agreement_acknowledge", args=[agreement.pk]), data).status_code == 302
    )
    agreement.refresh_from_db()
    assert agreement.supervisor_acknowledged_at is not None
    assert agreement.supervisee_acknowledged_at is None
    # Someone else's agreement: 404, nothing recorded.
    theirs = rich_world.theirs["colleague_agreement"]
    data["seen"] = limits_digest(theirs.confidentiality_limits)
    assert post(rich_world, "supervisor", reverse("agreement_acknowledge", args=[theirs.pk]), data).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.supervisor_acknowledged_at, theirs.supervisee_acknowledged_at) == (None, None)


@covers(AgreementFilterForm)
def test_agreement_filters_never_show_another_organizations_agreements(rich_world):
    for status in ("active", "upcoming", "ended", "all", "x"):
        response = rich_world.client_for("stranger").get(
            reverse("agreement_list"), {"q": "Riverbend", "status": status}
        )
        text = response.content.decode()
        assert "Sasha Supervisor" not in text
        assert "Pat Owner" not in text


@covers(GroupForm)
@pytest.mark.parametrize(("role", "who"), [("facilitator", "stranger"), ("members", "stranger_supervisee")])
def test_a_group_refuses_people_of_another_organization(rich_world, role, who):
    person = rich_world.people.get(who) or rich_world.theirs[who]
    data = {"name": "New circle", "facilitator": rich_world.people["supervisor"].pk, "is_active": "on", role: person.pk}
    response = post(rich_world, "admin", reverse("group_create"), data)
    assert response.status_code == 200
    assert not RSCGroup.objects.filter(name="New circle").exists()
    response = post(rich_world, "admin", reverse("group_edit", args=[rich_world.group.pk]), {**data, "name": "Edited"})
    assert response.status_code == 200
    assert not RSCGroup.objects.filter(name="Edited").exists()


@covers(GroupForm)
def test_a_new_group_ignores_the_organization_posted(rich_world):
    data = {
        **hostile_extras(rich_world),
        "name": "New circle",
        "facilitator": rich_world.people["supervisor"].pk,
        "members": [rich_world.people["owner"].pk],
        "is_active": "on",
    }
    assert post(rich_world, "admin", reverse("group_create"), data).status_code == 302
    assert RSCGroup.objects.get(name="New circle").organization == rich_world.organization


# Sessions -----------------------------------------------------------------------------------


def schedule_data(world: World, **overrides) -> dict:
    return {
        "agreement": world.agreement.pk,
        "group": "",
        "date": today(5),
        "time": "10:00",
        "duration_minutes": "60",
        "modality": "video",
        "location": "Room 9",
        "repeat": "",
        **overrides,
    }


@covers(
    ScheduleForm,
    SessionReplyForm,
    SessionTimeForm,
)
@pytest.mark.parametrize(
    "override",
    [
        {"agreement": "colleague_agreement"},
        {"agreement": "stranger_agreement"},
        {"agreement": "", "group": "colleague_group"},
        {"agreement": "", "group": "stranger_group"},
    ],
    ids=lambda override: "-".join(value for value in override.values() if value),
)
def test_scheduling_refuses_agreements_and_groups_of_others(rich_world, override):
    data = schedule_data(rich_world, **{k: rich_world.theirs[v].pk if v else "" for k, v in override.items()})
    before = SupervisionSession.objects.count()
    response = post(rich_world, "supervisor", reverse("session_create"), data)
    assert response.status_code == 200
    assert SupervisionSession.objects.count() == before


@covers(ScheduleForm)
def test_a_scheduled_session_is_led_by_the_person_who_schedules_it(rich_world):
    data = {**hostile_extras(rich_world), **schedule_data(rich_world), "notes": "Injected", "signed_at": today()}
    assert post(rich_world, "supervisor", reverse("session_create"), data).status_code == 302
    session = SupervisionSession.objects.order_by("-pk").first()
    assert (session.supervisor, session.organization) == (rich_world.people["supervisor"], rich_world.organization)
    assert (session.status, session.notes, session.signed_at) == ("scheduled", "", None)


@covers(
    RescheduleForm,
    SessionTimeForm,
)
def test_rescheduling_changes_only_the_time_and_place(rich_world):
    session = rich_world.session
    data = {
        **hostile_extras(rich_world),
        **schedule_data(rich_world),
        "agreement": rich_world.theirs["colleague_agreement"].pk,
        "group": rich_world.theirs["colleague_group"].pk,
        "notes": "Injected",
    }
    assert post(rich_world, "supervisor", reverse("session_edit", args=[session.pk]), data).status_code == 302
    session.refresh_from_db()
    assert session.location == "Room 9"
    assert (session.agreement, session.group, session.supervisor) == (
        rich_world.agreement,
        None,
        rich_world.people["supervisor"],
    )
    assert (session.status, session.notes, session.organization) == ("scheduled", "", rich_world.organization)


@covers(CancelForm)
def test_cancelling_records_the_person_who_cancels(rich_world):
    data = {**hostile_extras(rich_world), "reason": "Illness", "cancelled_by": rich_world.people["colleague"].pk}
    assert post(rich_world, "owner", reverse("session_cancel", args=[rich_world.session.pk]), data).status_code == 302
    session = SupervisionSession.objects.get(pk=rich_world.session.pk)
    assert (session.status, session.cancelled_by, session.cancel_reason) == (
        "cancelled",
        rich_world.people["owner"],
        "Illness",
    )
    theirs = rich_world.theirs["colleague_session"]
    assert post(rich_world, "owner", reverse("session_cancel", args=[theirs.pk]), data).status_code == 404
    assert SupervisionSession.objects.get(pk=theirs.pk).status == "scheduled"


@covers(AttendanceForm)
def test_attendance_cannot_add_people_to_a_session(rich_world):
    session = rich_world.held_session
    data = {
        "status": "held",
        f"attended_{rich_world.people['owner'].pk}": "on",
        f"attended_{rich_world.people['colleague'].pk}": "on",
        f"attended_{rich_world.people['stranger'].pk}": "on",
        **hostile_extras(rich_world),
    }
    assert post(rich_world, "supervisor", reverse("session_attendance", args=[session.pk]), data).status_code == 302
    assert list(SessionParticipant.objects.filter(session=session).values_list("user", flat=True)) == [
        rich_world.people["owner"].pk
    ]


@covers(NotesForm)
def test_saving_notes_never_signs_or_changes_the_session(rich_world):
    session = rich_world.held_session
    data = {
        **hostile_extras(rich_world),
        "notes": "New notes",
        "version": session.notes_version,
        "sitting": "s",
        "signed_by": rich_world.people["colleague"].pk,
        "supervisor": rich_world.people["unrelated_supervisor"].pk,
        "status": "missed",
    }
    assert post(rich_world, "supervisor", reverse("session_document", args=[session.pk]), data).status_code == 302
    session.refresh_from_db()
    assert (session.notes, session.signed_at, session.status) == ("New notes", None, "held")
    assert session.supervisor == rich_world.people["supervisor"]


@covers(FollowUpForm)
@pytest.mark.parametrize("owner", ["colleague", "stranger", "unrelated_supervisor"])
def test_a_follow_up_is_only_for_someone_in_the_session(rich_world, owner):
    before = FollowUp.objects.count()
    data = {"text": "Call", "owner": rich_world.people[owner].pk, "kind": "reflective"}
    post(rich_world, "supervisor", reverse("follow_up_create", args=[rich_world.held_session.pk]), data)
    assert FollowUp.objects.count() == before


@covers(FollowUpForm)
def test_a_follow_up_belongs_to_the_session_in_the_address(rich_world):
    data = {
        **hostile_extras(rich_world),
        "text": "Call",
        "owner": rich_world.people["owner"].pk,
        "kind": "safety",
        "session": rich_world.theirs["colleague_held_session"].pk,
    }
    post(rich_world, "supervisor", reverse("follow_up_create", args=[rich_world.held_session.pk]), data)
    follow_up = FollowUp.objects.order_by("-pk").first()
    assert (follow_up.session_id, follow_up.text, follow_up.done_at) == (rich_world.held_session.pk, "Call", None)


@covers(ReopenForm)
def test_reopening_is_recorded_for_the_person_who_reopens(rich_world):
    session = rich_world.signed_session
    data = {**hostile_extras(rich_world), "reason": "Typo", "actor": rich_world.people["colleague"].pk}
    assert post(rich_world, "supervisor", reverse("session_reopen", args=[session.pk]), data).status_code == 302
    event = session.events.order_by("-pk").first()
    assert (event.kind, event.actor, event.reason) == ("reopened", rich_world.people["supervisor"], "Typo")


@covers(AgendaItemForm)
@pytest.mark.parametrize("family", ["colleague_family", "stranger_family"])
def test_the_agenda_refuses_families_of_others(rich_world, family):
    data = {"family": rich_world.theirs[family].pk, "text": ""}
    response = post(rich_world, "owner", reverse("agenda_add", args=[rich_world.session.pk]), data)
    assert response.status_code == 400
    assert not AgendaItem.objects.filter(family=rich_world.theirs[family]).exists()


@covers(AgendaItemForm)
def test_an_agenda_item_is_written_by_the_person_who_posts_it(rich_world):
    data = {**hostile_extras(rich_world), "text": "A theme", "session": rich_world.theirs["colleague_session"].pk}
    assert post(rich_world, "owner", reverse("agenda_add", args=[rich_world.session.pk]), data).status_code == 302
    item = AgendaItem.objects.get(text="A theme")
    assert (item.author, item.session_id) == (rich_world.people["owner"], rich_world.session.pk)


@covers(AgendaItemForm)
@pytest.mark.parametrize("family", ["colleague_family", "stranger_family"])
def test_the_supervisors_agenda_item_names_only_families_they_may_see_in_this_session(rich_world, family):
    data = {"family": rich_world.theirs[family].pk, "text": "", "from": "prepare"}
    response = post(rich_world, "supervisor", reverse("agenda_add", args=[rich_world.session.pk]), data)
    assert response.status_code == 400
    assert not AgendaItem.objects.filter(family=rich_world.theirs[family]).exists()


@covers(AgendaItemForm)
def test_the_supervisors_agenda_item_is_theirs_on_the_session_in_the_address(rich_world):
    data = {**hostile_extras(rich_world), "family": rich_world.family.pk, "text": "From the supervisor"}
    url = reverse("agenda_add", args=[rich_world.session.pk])
    assert post(rich_world, "supervisor", url, data).status_code == 302
    item = AgendaItem.objects.get(text="From the supervisor")
    assert (item.author, item.session_id, item.family) == (
        rich_world.people["supervisor"],
        rich_world.session.pk,
        rich_world.family,
    )


@covers(SessionReplyForm)
def test_a_reply_is_written_by_the_person_who_posts_it_under_the_session_in_the_address(rich_world):
    data = {
        **hostile_extras(rich_world),
        "text": "Thank you",
        "session": rich_world.theirs["colleague_held_session"].pk,
    }
    url = reverse("session_reply_create", args=[rich_world.signed_session.pk])
    assert post(rich_world, "owner", url, data).status_code == 302
    reply = SessionReply.objects.get(text="Thank you")
    assert (reply.author, reply.session_id) == (rich_world.people["owner"], rich_world.signed_session.pk)
    # Nobody writes under the notes of a session they are not in.
    url = reverse("session_reply_create", args=[rich_world.theirs["colleague_held_session"].pk])
    assert post(rich_world, "owner", url, {"text": "Not mine"}).status_code == 404
    assert not SessionReply.objects.filter(text="Not mine").exists()


# Reflections --------------------------------------------------------------------------------


def reflection_data(**overrides) -> dict:
    return {"revision": "0", "sitting": "", "title": "Mine", "what_happened": "A quiet visit.", **overrides}


@covers(ReflectionForm)
@pytest.mark.parametrize(
    ("field", "record"),
    [
        ("family", "colleague_family"),
        ("family", "stranger_family"),
        ("session", "colleague_session"),
        ("session", "stranger_session"),
    ],
)
def test_a_reflection_refuses_families_and_sessions_of_others(rich_world, field, record):
    data = reflection_data(**{field: rich_world.theirs[record].pk})
    before = Reflection.objects.count()
    assert post(rich_world, "owner", reverse("reflection_create"), data).status_code == 200
    assert Reflection.objects.count() == before
    edit = {**data, "revision": rich_world.reflection.revision}
    post(rich_world, "owner", reverse("reflection_edit", args=[rich_world.reflection.pk]), edit)
    reflection = Reflection.objects.get(pk=rich_world.reflection.pk)
    assert (reflection.family, reflection.session) == (rich_world.family, rich_world.session)


@covers(ReflectionForm)
def test_a_reflection_is_written_by_its_author_in_their_organization(rich_world):
    data = {**hostile_extras(rich_world), **reflection_data(), "revision": "7", "deleted_at": "2020-01-01"}
    assert post(rich_world, "owner", reverse("reflection_create"), data).status_code == 302
    reflection = Reflection.objects.get(title="Mine")
    assert (reflection.author, reflection.organization) == (rich_world.people["owner"], rich_world.organization)
    assert (reflection.deleted_at, reflection.revision) == (None, 1)
    assert not reflection.shares.exists()


@covers(ShareForm)
@pytest.mark.parametrize("supervisor", ["unrelated_supervisor", "stranger", "colleague", "admin"])
def test_sharing_refuses_anyone_but_the_authors_supervisors(rich_world, supervisor):
    data = {"supervisors": rich_world.people[supervisor].pk, "baby_words": ""}
    response = post(rich_world, "owner", reverse("reflection_share", args=[rich_world.reflection.pk]), data)
    assert response.status_code == 200
    assert not ReflectionShare.objects.filter(supervisor=rich_world.people[supervisor]).exists()


@covers(UnshareForm)
def test_unsharing_reaches_only_the_reflection_in_the_address(rich_world):
    theirs = rich_world.theirs["colleague_reflection"]
    unrelated = rich_world.people["unrelated_supervisor"]
    share = ReflectionShare.objects.create(reflection=theirs, supervisor=unrelated)
    data = {"supervisor": unrelated.pk, "reflection": theirs.pk, **hostile_extras(rich_world)}
    post(rich_world, "owner", reverse("reflection_unshare", args=[rich_world.reflection.pk]), data)
    share.refresh_from_db()
    assert share.revoked_at is None
    assert post(rich_world, "owner", reverse("reflection_unshare", args=[theirs.pk]), data).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


@covers(
    ResponseForm,
    ResponseDraftForm,
)
@pytest.mark.parametrize("url_name", ["response_create", "response_draft"])
def test_a_response_is_written_by_the_person_who_posts_it_under_the_reflection_in_the_address(rich_world, url_name):
    theirs = rich_world.theirs["colleague_reflection"]
    data = {**hostile_extras(rich_world), "text": "I wonder.", "reflection": theirs.pk}
    response = post(rich_world, "supervisor", reverse(url_name, args=[rich_world.reflection.pk]), data)
    assert response.status_code in {200, 302}
    model = ReflectionResponse if url_name == "response_create" else ResponseDraft
    written = model.objects.get(text="I wonder.")
    assert (written.author, written.reflection_id) == (rich_world.people["supervisor"], rich_world.reflection.pk)
    assert post(rich_world, "supervisor", reverse(url_name, args=[theirs.pk]), data).status_code == 404


@covers(SearchForm)
def test_searching_never_finds_someone_elses_reflection(rich_world):
    for show in ("all", "mine", "shared", "x"):
        for state in ("", "draft", "shared"):
            response = rich_world.client_for("owner").get(
                reverse("reflection_list"), {"q": "Quinn", "show": show, "state": state, "author": "0"}
            )
            assert "Quinn&#x27;s own words" not in response.content.decode()
            assert "Quinn's own words" not in response.content.decode()


# People and the organization ----------------------------------------------------------------


@covers(InviteForm)
def test_an_invitation_stays_in_the_organization_and_grants_only_the_roles_offered(rich_world):
    data = {
        **hostile_extras(rich_world),
        "full_name": "New Person",
        "email": "new@riverbend.example",
        "roles": ["practitioner"],
    }
    assert post(rich_world, "admin", reverse("person_invite"), data).status_code == 302
    person = User.objects.get(email="new@riverbend.example")
    assert person.organization == rich_world.organization
    assert person.roles == ["practitioner"]
    assert (person.is_staff, person.is_superuser, person.is_active) == (False, False, True)
    response = post(
        rich_world, "admin", reverse("person_invite"), {**data, "email": "b@x.example", "roles": "superuser"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="b@x.example").exists()


@covers(RolesForm)
def test_roles_are_the_three_offered_never_staff_or_another_organization(rich_world):
    owner = rich_world.people["owner"]
    data = {**hostile_extras(rich_world), "roles": ["supervisor", "superuser", "staff"]}
    assert post(rich_world, "admin", reverse("person_roles", args=[owner.pk]), data).status_code == 400
    data["roles"] = ["supervisor"]
    assert post(rich_world, "admin", reverse("person_roles", args=[owner.pk]), data).status_code == 302
    owner.refresh_from_db()
    assert owner.roles == ["supervisor"]
    assert (owner.is_staff, owner.is_superuser, owner.organization) == (False, False, rich_world.organization)
    stranger = rich_world.people["stranger"]
    assert post(rich_world, "admin", reverse("person_roles", args=[stranger.pk]), data).status_code == 404


@covers(PeopleFilterForm)
def test_people_filters_never_show_another_organizations_people(rich_world):
    for status in ("", "active", "invited", "deactivated", "x"):
        for role in ("", "practitioner", "supervisor", "administrator", "x"):
            response = rich_world.client_for("stranger").get(
                reverse("people_list"), {"q": "riverbend", "status": status, "role": role, "organization": 1}
            )
            assert "riverbend.example" not in response.content.decode()


@covers(ProfileForm)
def test_the_profile_changes_only_name_and_time_zone(rich_world):
    data = {**hostile_extras(rich_world), "full_name": "Pat Renamed", "time_zone": "Europe/Paris"}
    assert post(rich_world, "owner", reverse("profile"), data).status_code == 302
    owner = User.objects.get(pk=rich_world.people["owner"].pk)
    assert (owner.full_name, owner.time_zone) == ("Pat Renamed", "Europe/Paris")
    assert (owner.email, owner.organization) == ("pat@riverbend.example", rich_world.organization)
    assert (owner.is_account_admin, owner.is_supervisor, owner.is_staff, owner.is_superuser) == (False,) * 4


@covers(OrganizationSettingsForm)
def test_organization_settings_change_only_the_administrators_own_organization(rich_world):
    data = {
        **hostile_extras(rich_world),
        "name": "Riverbend Renamed",
        "time_zone": "America/Chicago",
        "confidentiality_limits": "Limits.",
        "restore_window_days": "30",
        "created_at": "2000-01-01T00:00",
    }
    assert post(rich_world, "admin", reverse("organization_settings"), data).status_code == 302
    assert Organization.objects.get(pk=rich_world.organization.pk).name == "Riverbend Renamed"
    assert Organization.objects.get(pk=rich_world.other_organization.pk).name == "Far Hills Agency"
    assert Organization.objects.get(pk=rich_world.organization.pk).created_at.year > 2000


@covers(SetPasswordForm)
def test_accepting_an_invitation_sets_only_the_password(rich_world):
    data = {
        **hostile_extras(rich_world),
        "password1": "a-fresh-long-passphrase-77",
        "password2": "a-fresh-long-passphrase-77",
        "user": rich_world.people["admin"].pk,
    }
    url = reverse("invitation_accept", args=[rich_world.invitation_token])
    assert post(rich_world, "anonymous", url, data).status_code == 302
    invited = User.objects.get(pk=rich_world.invited.pk)
    assert invited.check_password("a-fresh-long-passphrase-77")
    assert (invited.email, invited.organization, invited.roles) == (
        "ines@riverbend.example",
        rich_world.organization,
        ["practitioner"],
    )
    assert (invited.is_staff, invited.is_superuser) == (False, False)
    assert not User.objects.get(pk=rich_world.people["admin"].pk).check_password("a-fresh-long-passphrase-77")


@covers(AuditFilterForm)
def test_the_audit_filter_refuses_people_of_another_organization(rich_world):
    client = rich_world.client_for("admin")
    response = client.get(reverse("audit_list"), {"person": rich_world.people["stranger"].pk})
    assert response.status_code == 400
    response = client.get(reverse("audit_export"), {"person": rich_world.people["stranger"].pk})
    assert response.status_code == 400
    # The other organization's administrator sees none of Riverbend's events, whatever the filter.
    client = rich_world.client_for("stranger")
    client.get(reverse("audit_list"))
    response = client.get(reverse("audit_export"), {"person": "", "organization": rich_world.organization.pk})
    assert "riverbend.example" not in b"".join(response.streaming_content).decode()


def test_every_form_has_a_mass_assignment_test():
    walked = {form_key(form) for form in project_forms()}
    assert walked - set(COVERED) == set(), "Add a mass-assignment test for these forms"
    assert set(BASE_FORMS) <= set(COVERED)
