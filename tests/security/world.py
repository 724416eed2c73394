"""A small, complete world for the security tests: every URL argument names a real record.

The "owner" is a practitioner. Their supervisor has an agreement in force with them and
leads their sessions; the owner's reflection is shared with that supervisor. Around them:
a colleague (another practitioner of the same organization), a supervisor with no part in
the owner's work, an account administrator, and a person of another organization who
holds every role there. Anonymous visitors are the seventh persona.

`build_world(rich=True)` adds what the mass-assignment tests need: records of the colleague,
of the unrelated supervisor and of the other organization, whose ids nobody else may use.
"""

import datetime
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, Organization, User
from rsc.models import (
    AgendaItem,
    Family,
    FollowUp,
    Reflection,
    RSCGroup,
    SessionReply,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.services import families as families_services
from rsc.services import reflections as reflections_services
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged, make_person, mark_reauthenticated

# The personas of the matrix, in the order the tables read.
OWNER = "owner"
COLLEAGUE = "colleague"
SUPERVISOR = "supervisor"
UNRELATED_SUPERVISOR = "unrelated_supervisor"
ADMIN = "admin"
STRANGER = "stranger"
ANONYMOUS = "anonymous"
PERSONAS = (OWNER, COLLEAGUE, SUPERVISOR, UNRELATED_SUPERVISOR, ADMIN, STRANGER, ANONYMOUS)
SIGNED_IN = PERSONAS[:-1]

INVITATION_TOKEN = "security-suite-invitation-token-0123456789"

# Words written into the owner's records, to find them wherever they show up.
MARKERS = {
    "family_code": "OWNFAM-7731",
    "child_label": "KIWI-7732",
    "caregiver_notes": "CARENOTE-7733",
    "reflection_title": "REFTITLE-7734",
    "reflection_text": "REFTEXT-7735",
    "checkin_words": "CHECKIN-7736",
    "response_text": "RESPONSE-7737",
    "session_notes": "NOTES-7738",
    "agenda_text": "AGENDA-7739",
    "follow_up_text": "FOLLOWUP-7740",
    "deleted_family_code": "OLDFAM-7741",
    "deleted_reflection_text": "DELREF-7742",
    "reply_text": "REPLY-7743",
}


@dataclass
class World:
    organization: Organization
    other_organization: Organization
    people: dict[str, User]
    family: Family
    deleted_family: Family
    agreement: SupervisionAgreement
    group: RSCGroup
    session: SupervisionSession  # scheduled, in three days, with the owner's agenda item
    held_session: SupervisionSession  # held two days ago, not signed, with a follow-up for the owner and their reply
    signed_session: SupervisionSession  # held and signed
    agenda_item: AgendaItem
    follow_up: FollowUp
    reply: SessionReply
    reflection: Reflection  # the owner's, about the family, for the session, shared with the supervisor
    deleted_reflection: Reflection
    invited: User  # invited, not yet accepted
    former: User  # deactivated
    invitation_token: str = INVITATION_TOKEN
    # Records the owner may not use (rich worlds only).
    theirs: dict[str, object] = field(default_factory=dict)

    def person(self, persona: str) -> User | None:
        return self.people.get(persona)

    def client_for(self, persona: str, **options) -> Client:
        """A client signed in as the persona (with a fresh password confirmation), or anonymous."""
        client = Client(**options)
        user = self.person(persona)
        if user is not None:
            client.force_login(user)
            mark_reauthenticated(client, user)
        return client


def _family(organization, practitioner, code, *, child="K", notes="Speaks Spanish at home.") -> Family:
    return families_services.family_create(
        organization=organization,
        created_by=practitioner,
        code=code,
        context=Family.Context.HOME_VISITING,
        opened_on=timezone.localdate() - datetime.timedelta(days=90),
        children=[{"pk": None, "label": child, "birth_month": datetime.date(2025, 9, 1), "expected": False}],
        caregivers=[{"pk": None, "relationship": "mother", "label": "M", "notes": notes}],
    )


def _agreement(organization, supervisor, supervisee) -> SupervisionAgreement:
    """An agreement in force: active for two months, acknowledged by both."""
    return SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=supervisee,
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        confidentiality_limits="Mandated reporting applies.",
        **acknowledged(),
    )


def _session(agreement=None, *, group=None, days: float, status="scheduled") -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor if agreement else group.facilitator,
        agreement=agreement,
        group=group,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
        location="Room 2",
    )
    if status != "scheduled":
        scheduling.session_record_attendance(
            session=session,
            actor=session.supervisor,
            status=status,
            attendance={participant.user_id: "attended" for participant in session.participants.all()},
        )
    return session


def build_world(*, rich: bool = False) -> World:
    riverbend = Organization.objects.create(name="Riverbend Early Childhood")
    farhills = Organization.objects.create(name="Far Hills Agency")
    people = {
        OWNER: make_person(riverbend, "pat@riverbend.example", "Pat Owner", User.Role.PRACTITIONER),
        COLLEAGUE: make_person(riverbend, "quinn@riverbend.example", "Quinn Colleague", User.Role.PRACTITIONER),
        SUPERVISOR: make_person(riverbend, "sasha@riverbend.example", "Sasha Supervisor", User.Role.SUPERVISOR),
        UNRELATED_SUPERVISOR: make_person(riverbend, "morgan@riverbend.example", "Morgan Other", User.Role.SUPERVISOR),
        ADMIN: make_person(riverbend, "avery@riverbend.example", "Avery Admin", User.Role.ADMINISTRATOR),
        STRANGER: make_person(
            farhills,
            "robin@farhills.example",
            "Robin Faraway",
            User.Role.PRACTITIONER,
            User.Role.SUPERVISOR,
            User.Role.ADMINISTRATOR,
        ),
    }
    owner, supervisor = people[OWNER], people[SUPERVISOR]
    invited = make_person(riverbend, "ines@riverbend.example", "Ines Invited", User.Role.PRACTITIONER)
    invited.invitation_accepted = False
    invited.set_unusable_password()
    invited.save()
    Invitation.objects.create(
        user=invited,
        invited_by=people[ADMIN],
        token_hash=Invitation.hash_token(INVITATION_TOKEN),
        expires_at=Invitation.default_expiry(),
    )
    former = make_person(riverbend, "fern@riverbend.example", "Fern Former", User.Role.PRACTITIONER)
    account_services.person_deactivate(user=former)

    family = _family(
        riverbend, owner, MARKERS["family_code"], child=MARKERS["child_label"], notes=MARKERS["caregiver_notes"]
    )
    deleted_family = _family(riverbend, owner, MARKERS["deleted_family_code"])
    families_services.family_delete(family=deleted_family, deleted_by=owner)

    agreement = _agreement(riverbend, supervisor, owner)
    group = RSCGroup.objects.create(organization=riverbend, name="Tuesday circle", facilitator=supervisor)
    group.members.add(owner)

    session = _session(agreement, days=3)
    agenda_item = scheduling.agenda_add(session=session, author=owner, family=family, text=MARKERS["agenda_text"])
    held_session = _session(agreement, days=-2, status="held")
    scheduling.session_save_notes(
        session=held_session,
        actor=supervisor,
        notes=MARKERS["session_notes"],
        elements=["baby_in_mind"],
        expected_version=0,
    )
    follow_up = scheduling.follow_up_add(
        session=held_session,
        actor=supervisor,
        text=MARKERS["follow_up_text"],
        owner=owner,
        due_on=None,
        kind="reflective",
    )
    reply = scheduling.session_reply_add(session=held_session, author=owner, text=MARKERS["reply_text"])
    signed_session = _session(agreement, days=-9, status="held")
    scheduling.session_sign(session=signed_session, actor=supervisor)
    held_session.refresh_from_db()
    signed_session.refresh_from_db()

    reflection = reflections_services.reflection_create(
        author=owner,
        data={
            "title": MARKERS["reflection_title"],
            "family": family,
            "session": session,
            "what_happened": MARKERS["reflection_text"],
            "baby_experience": "K watched the water pour.",
            "checkin_score": 3,
            "checkin_words": MARKERS["checkin_words"],
        },
        sitting="setup",
    )
    reflections_services.reflection_share(reflection=reflection, supervisors=[supervisor])
    reflections_services.response_add(reflection=reflection, author=supervisor, text=MARKERS["response_text"])
    deleted_reflection = reflections_services.reflection_create(
        author=owner, data={"what_happened": MARKERS["deleted_reflection_text"]}, sitting="old"
    )
    reflections_services.reflection_delete(reflection=deleted_reflection)

    world = World(
        organization=riverbend,
        other_organization=farhills,
        people=people,
        family=family,
        deleted_family=deleted_family,
        agreement=agreement,
        group=group,
        session=session,
        held_session=held_session,
        signed_session=signed_session,
        agenda_item=agenda_item,
        follow_up=follow_up,
        reply=reply,
        reflection=reflection,
        deleted_reflection=deleted_reflection,
        invited=invited,
        former=former,
    )
    if rich:
        world.theirs = _their_records(world)
    return world


def _their_records(world: World) -> dict[str, object]:
    """Records of other people, which the owner (and the supervisor, and the administrator) may not use."""
    colleague = world.people[COLLEAGUE]
    unrelated = world.people[UNRELATED_SUPERVISOR]
    stranger = world.people[STRANGER]
    stranger_supervisee = make_person(world.other_organization, "lee@farhills.example", "Lee Faraway", "practitioner")

    colleague_family = _family(world.organization, colleague, "QC-1")
    colleague_agreement = _agreement(world.organization, unrelated, colleague)
    colleague_session = _session(colleague_agreement, days=4)
    colleague_held = _session(colleague_agreement, days=-3, status="held")
    colleague_group = RSCGroup.objects.create(
        organization=world.organization, name="Thursday circle", facilitator=unrelated
    )
    colleague_group.members.add(colleague)
    colleague_reflection = reflections_services.reflection_create(
        author=colleague, data={"what_happened": "Quinn's own words."}, sitting="q"
    )

    stranger_family = _family(world.other_organization, stranger, "FH-9")
    stranger_agreement = _agreement(world.other_organization, stranger, stranger_supervisee)
    stranger_session = _session(stranger_agreement, days=5)
    stranger_group = RSCGroup.objects.create(
        organization=world.other_organization, name="Far circle", facilitator=stranger
    )
    stranger_group.members.add(stranger_supervisee)
    return {
        "colleague_family": colleague_family,
        "colleague_agreement": colleague_agreement,
        "colleague_session": colleague_session,
        "colleague_held_session": colleague_held,
        "colleague_group": colleague_group,
        "colleague_reflection": colleague_reflection,
        "stranger_family": stranger_family,
        "stranger_agreement": stranger_agreement,
        "stranger_session": stranger_session,
        "stranger_group": stranger_group,
        "stranger_supervisee": stranger_supervisee,
    }
