"""Retention: reflective writing is removed for good once an organization no longer keeps it.

Each organization sets three periods (accounts.Organization):

- ``purge_after_family_closed_years``: that long after a family was closed, the family row
  itself goes, with its children, caregivers (and their notes), every reflection about it
  (with versions, responses, shares and draft responses) and every agenda item that names it.
  The period counts from ``Family.closed_at``, the server's time of closing, never from the
  opening or closing dates people type (which could be backdated to purge others' writing at
  once). When someone other than the person who closed the family wrote about it, the purge
  also waits at least the restore window after closing, so a colleague can notice and reopen.
- ``purge_after_person_left_years``: that long after a person was deactivated, their
  reflections (with everything hanging off them), the responses and draft responses they wrote
  on other people's reflections, and the agenda items and replies under session notes they
  wrote go; so do the notes, earlier versions of the notes, agenda items, follow-ups and replies
  of the individual sessions in which they were the supervisee. Group session notes, and the
  notes of sessions they led, stay: those belong to the other people's records. The person's
  account row stays.
- ``restore_window_days``: deleted reflections, families and sessions can be restored for that
  long; after it they are deleted for good. A family deleted this way was "added by mistake":
  reflections about it stay (unlinked), agenda items naming it keep their words but lose the
  link (or go, when the family was all they said).

Hours never depend on the writing: sessions stay with their dates, lengths, modality, status,
attendance, element tags, history and signatures, so hours already verified stay verifiable.
The one exception is a session someone deleted on purpose: once its restore window has passed
it is deleted with its log, and its hours with it.

Every record purged gets one audit event (action "purge", no actor, the rule and counts, never
any text). Each organization is worked through in its own transaction, holding a lock on the
organization row so two runs at once cannot purge (and audit) the same thing twice. Running
again purges nothing new: what was removed is gone, and what is left is not due.
"""

import datetime
import logging
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Organization, User
from rsc import audit
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
    ResponseDraft,
    SessionNoteVersion,
    SessionParticipant,
    SessionReply,
    SupervisionSession,
)

logger = logging.getLogger(__name__)

FAMILY_CLOSED = "family_closed"
PERSON_LEFT = "person_left"
RESTORE_WINDOW = "restore_window"
RULES = (FAMILY_CLOSED, PERSON_LEFT, RESTORE_WINDOW)

RecordType = audit.RecordType
# Keeps "id IN (...)" lists well inside SQLite's limit on query parameters.
BATCH = 500


@dataclass(frozen=True)
class Purge:
    """One record purged (or, in a dry run, due): what the audit event says."""

    rule: str
    record_type: str
    record_id: int
    counts: dict[str, int | bool | str] = field(default_factory=dict)

    @property
    def detail(self) -> dict:
        return {"rule": self.rule, **self.counts}


@dataclass
class OrganizationReport:
    organization_id: int
    name: str
    purges: list[Purge] = field(default_factory=list)
    error: str = ""

    def summary(self) -> Counter:
        """How many records of each type each rule purged: {(rule, record_type): n}."""
        return Counter((purge.rule, purge.record_type) for purge in self.purges)


@dataclass
class RetentionReport:
    now: datetime.datetime
    dry_run: bool
    organizations: list[OrganizationReport] = field(default_factory=list)

    @property
    def purges(self) -> list[Purge]:
        return [purge for report in self.organizations for purge in report.purges]

    @property
    def failed(self) -> list[OrganizationReport]:
        return [report for report in self.organizations if report.error]


# --- What is due, as of a moment (queries only) ----------------------------------------------


def years_before(moment, years: int):
    """The same calendar day (date or datetime) `years` earlier; 29 February becomes the 28th."""
    year = moment.year - years
    try:
        return moment.replace(year=year)
    except ValueError:
        return moment.replace(year=year, day=28)


def family_closed_cutoff(organization: Organization, now: datetime.datetime) -> datetime.datetime | None:
    """Families closed (by the server's clock) at or before this moment are due; None when the
    organization keeps them."""
    years = organization.purge_after_family_closed_years
    if years is None:
        return None
    return years_before(now, years)


def person_left_cutoff(organization: Organization, now: datetime.datetime) -> datetime.datetime | None:
    """People deactivated at or before this moment are due; None when the organization keeps their writing."""
    years = organization.purge_after_person_left_years
    if years is None:
        return None
    return years_before(now, years)


def restore_cutoff(organization: Organization, now: datetime.datetime) -> datetime.datetime:
    """Records deleted at or before this moment can no longer be restored."""
    return now - datetime.timedelta(days=organization.restore_window_days)


def closed_families_due(organization: Organization, now: datetime.datetime) -> QuerySet[Family]:
    """Closed families whose retention period has passed since they were really closed.

    Only `closed_at` counts: a family with a closing date but no server time of closing is never
    due. Writing by anyone but the person who closed it (or by anyone, when that person is not
    known) keeps the family at least the restore window after closing.
    """
    cutoff = family_closed_cutoff(organization, now)
    if cutoff is None:
        return Family.objects.none()
    others_wrote = Reflection.objects.filter(family_id=OuterRef("pk")).exclude(author_id=OuterRef("closed_by_id"))
    return Family.objects.filter(
        organization=organization, closed_on__isnull=False, closed_at__isnull=False, closed_at__lte=cutoff
    ).filter(Q(closed_at__lte=restore_cutoff(organization, now)) | (Q(closed_by__isnull=False) & ~Exists(others_wrote)))


def departed_people_due(organization: Organization, now: datetime.datetime) -> QuerySet[User]:
    cutoff = person_left_cutoff(organization, now)
    if cutoff is None:
        return User.objects.none()
    return User.objects.filter(
        organization=organization, is_active=False, deactivated_at__isnull=False, deactivated_at__lte=cutoff
    )


def deleted_reflections_due(organization: Organization, now: datetime.datetime) -> QuerySet[Reflection]:
    return Reflection.objects.filter(organization=organization, deleted_at__lte=restore_cutoff(organization, now))


def deleted_families_due(organization: Organization, now: datetime.datetime) -> QuerySet[Family]:
    return Family.objects.filter(organization=organization, deleted_at__lte=restore_cutoff(organization, now))


def deleted_sessions_due(organization: Organization, now: datetime.datetime) -> QuerySet[SupervisionSession]:
    return SupervisionSession.objects.filter(
        organization=organization, deleted_at__lte=restore_cutoff(organization, now)
    )


# --- Purging ---------------------------------------------------------------------------------


def _count(model: type[models.Model], link: str) -> Coalesce:
    """A subquery counting the rows of `model` whose `link` is the outer row."""
    rows = model.objects.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _delete_reflections(reflections: QuerySet[Reflection], rule: str, **extra) -> list[Purge]:
    """Delete reflections through the ORM, so their versions, responses, shares and drafts go too."""
    rows = list(
        reflections.order_by("pk")
        .annotate(
            n_versions=_count(ReflectionVersion, "reflection"),
            n_responses=_count(ReflectionResponse, "reflection"),
            n_shares=_count(ReflectionShare, "reflection"),
            n_drafts=_count(ResponseDraft, "reflection"),
        )
        .values_list("pk", "family_id", "n_versions", "n_responses", "n_shares", "n_drafts")
    )
    for ids in _batches([row[0] for row in rows]):
        Reflection.objects.filter(pk__in=ids).delete()
    return [
        Purge(
            rule,
            RecordType.REFLECTION,
            pk,
            {
                **extra,
                **({"family_id": family_id} if family_id else {}),
                "versions": versions,
                "responses": responses,
                "shares": shares,
                "response_drafts": drafts,
            },
        )
        for pk, family_id, versions, responses, shares, drafts in rows
    ]


def _purge_closed_families(organization: Organization, now: datetime.datetime) -> list[Purge]:
    families = list(
        closed_families_due(organization, now)
        .order_by("pk")
        .annotate(n_children=_count(Child, "family"), n_caregivers=_count(Caregiver, "family"))
        .values_list("pk", "n_children", "n_caregivers")
    )
    if not families:
        return []
    family_ids = [pk for pk, *_counts in families]
    purges = []
    reflections_per_family = Counter()
    agenda_per_family = Counter()
    for ids in _batches(family_ids):
        deleted = _delete_reflections(
            Reflection.objects.filter(organization=organization, family_id__in=ids), FAMILY_CLOSED
        )
        reflections_per_family.update(purge.counts["family_id"] for purge in deleted)
        purges += deleted
        # Agenda items naming the family say something about it: they go (the session stays).
        items = AgendaItem.objects.filter(family_id__in=ids)
        per_session = Counter(items.values_list("session_id", flat=True))
        agenda_per_family.update(items.values_list("family_id", flat=True))
        items.delete()
        purges += [
            Purge(FAMILY_CLOSED, RecordType.SESSION, session_id, {"agenda_items": count})
            for session_id, count in sorted(per_session.items())
        ]
        Family.objects.filter(pk__in=ids).delete()
    purges += [
        Purge(
            FAMILY_CLOSED,
            RecordType.FAMILY,
            pk,
            {
                "children": children,
                "caregivers": caregivers,
                "reflections": reflections_per_family[pk],
                "agenda_items": agenda_per_family[pk],
            },
        )
        for pk, children, caregivers in families
    ]
    return purges


def _purge_departed_people(organization: Organization, now: datetime.datetime) -> list[Purge]:
    purges = []
    for person_id in departed_people_due(organization, now).order_by("pk").values_list("pk", flat=True):
        purges += _purge_person(organization, person_id)
    return purges


def _purge_person(organization: Organization, person_id: int) -> list[Purge]:
    extra = {"person_id": person_id}
    purges = _delete_reflections(
        Reflection.objects.filter(organization=organization, author_id=person_id), PERSON_LEFT, **extra
    )

    # What they wrote under other people's reflections.
    responses = ReflectionResponse.objects.filter(author_id=person_id, reflection__organization=organization)
    drafts = ResponseDraft.objects.filter(author_id=person_id, reflection__organization=organization)
    per_reflection: dict[int, Counter] = defaultdict(Counter)
    for reflection_id in responses.values_list("reflection_id", flat=True):
        per_reflection[reflection_id]["responses"] += 1
    for reflection_id in drafts.values_list("reflection_id", flat=True):
        per_reflection[reflection_id]["response_drafts"] += 1
    responses.delete()
    drafts.delete()
    purges += [
        Purge(PERSON_LEFT, RecordType.REFLECTION, reflection_id, {**extra, "responses": 0, "response_drafts": 0, **n})
        for reflection_id, n in sorted(per_reflection.items())
    ]

    # Sessions: the individual sessions in which they were the supervisee keep only their log;
    # elsewhere, the agenda items and replies they wrote go.
    per_session: dict[int, Counter] = defaultdict(Counter)
    own_sessions = SupervisionSession.objects.filter(
        organization=organization, group__isnull=True, agreement__supervisee_id=person_id
    )
    own = list(
        own_sessions.annotate(
            n_agenda=_count(AgendaItem, "session"),
            n_follow_ups=_count(FollowUp, "session"),
            n_versions=_count(SessionNoteVersion, "session"),
            n_replies=_count(SessionReply, "session"),
        )
        .filter(~Q(notes="") | Q(n_agenda__gt=0) | Q(n_follow_ups__gt=0) | Q(n_versions__gt=0) | Q(n_replies__gt=0))
        .values_list("pk", "notes", "n_agenda", "n_follow_ups", "n_versions", "n_replies")
    )
    own_ids = [row[0] for row in own]
    for pk, notes, n_agenda, n_follow_ups, n_versions, n_replies in own:
        per_session[pk].update(
            {
                "notes_cleared": int(bool(notes)),
                "agenda_items": n_agenda,
                "follow_ups": n_follow_ups,
                "replies": n_replies,
            }
        )
        per_session[pk]["note_versions"] = n_versions
    written = AgendaItem.objects.filter(author_id=person_id, session__organization=organization).exclude(
        session_id__in=own_ids
    )
    for session_id in written.values_list("session_id", flat=True):
        per_session[session_id]["agenda_items"] += 1
    written.delete()
    replied = SessionReply.objects.filter(author_id=person_id, session__organization=organization).exclude(
        session_id__in=own_ids
    )
    for session_id in replied.values_list("session_id", flat=True):
        per_session[session_id]["replies"] += 1
    replied.delete()
    for ids in _batches(own_ids):
        AgendaItem.objects.filter(session_id__in=ids).delete()
        FollowUp.objects.filter(session_id__in=ids).delete()
        SessionNoteVersion.objects.filter(session_id__in=ids).delete()
        SessionReply.objects.filter(session_id__in=ids).delete()
        # Signed sessions too: the signature vouches for the hours, which stay.
        SupervisionSession.objects.filter(pk__in=ids).update(notes="")
    for session_id, n in sorted(per_session.items()):
        counts = {**extra, "agenda_items": n["agenda_items"]}
        if n["replies"]:
            # Only when there were any, so the events of people who never replied read as before.
            counts["replies"] = n["replies"]
        if session_id in own_ids:
            counts.update(
                notes_cleared=bool(n["notes_cleared"]), note_versions=n["note_versions"], follow_ups=n["follow_ups"]
            )
        purges.append(Purge(PERSON_LEFT, RecordType.SESSION, session_id, counts))
    return purges


def _purge_restore_window(organization: Organization, now: datetime.datetime) -> list[Purge]:
    purges = _delete_reflections(deleted_reflections_due(organization, now), RESTORE_WINDOW)

    # A deleted session goes with its log: whoever deleted it meant its hours to go too.
    sessions = list(
        deleted_sessions_due(organization, now)
        .order_by("pk")
        .annotate(
            n_participants=_count(SessionParticipant, "session"),
            n_agenda=_count(AgendaItem, "session"),
            n_follow_ups=_count(FollowUp, "session"),
            n_versions=_count(SessionNoteVersion, "session"),
            n_reflections=_count(Reflection, "session"),
            n_replies=_count(SessionReply, "session"),
        )
        .values_list(
            "pk", "status", "duration_minutes", "signed_at", "n_participants", "n_agenda", "n_follow_ups",
            "n_versions", "n_reflections", "n_replies",
        )
    )  # fmt: skip
    for ids in _batches([row[0] for row in sessions]):
        SupervisionSession.objects.filter(pk__in=ids).delete()
    purges += [
        Purge(
            RESTORE_WINDOW,
            RecordType.SESSION,
            pk,
            {
                "status": status,
                "duration_minutes": minutes,
                "signed": signed_at is not None,
                "participants": participants,
                "agenda_items": agenda,
                "follow_ups": follow_ups,
                "note_versions": versions,
                "reflections_unlinked": reflections,
                "replies": replies,
            },
        )
        for pk, status, minutes, signed_at, participants, agenda, follow_ups, versions, reflections, replies in sessions
    ]

    # A deleted family was added by mistake: the people's own writing stays, without the link.
    families = list(
        deleted_families_due(organization, now)
        .order_by("pk")
        .annotate(
            n_children=_count(Child, "family"),
            n_caregivers=_count(Caregiver, "family"),
            n_reflections=_count(Reflection, "family"),
        )
        .values_list("pk", "n_children", "n_caregivers", "n_reflections")
    )
    agenda_deleted, agenda_unlinked = Counter(), Counter()
    for ids in _batches([row[0] for row in families]):
        items = AgendaItem.objects.filter(family_id__in=ids)
        agenda_deleted.update(items.filter(text="").values_list("family_id", flat=True))
        agenda_unlinked.update(items.exclude(text="").values_list("family_id", flat=True))
        items.filter(text="").delete()
        items.exclude(text="").update(family=None)
        Family.objects.filter(pk__in=ids).delete()  # Reflection.family is SET_NULL: they are unlinked.
    purges += [
        Purge(
            RESTORE_WINDOW,
            RecordType.FAMILY,
            pk,
            {
                "children": children,
                "caregivers": caregivers,
                "reflections_unlinked": reflections,
                "agenda_items": agenda_deleted[pk],
                "agenda_items_unlinked": agenda_unlinked[pk],
            },
        )
        for pk, children, caregivers, reflections in families
    ]
    return purges


def purge_organization(organization: Organization, now: datetime.datetime, *, dry_run: bool = False) -> list[Purge]:
    """Purge what is due in one organization, in one transaction, and audit each record purged.

    A dry run does the same work and rolls it back, so it reports exactly what a real run would
    purge; it writes no audit events.
    """
    with transaction.atomic():
        # Serialises concurrent runs on PostgreSQL; the second then finds nothing left to do.
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        # In this order: a closed family takes its reflections with it before a restore-window
        # purge of the same family would only unlink them.
        purges = [
            *_purge_closed_families(organization, now),
            *_purge_departed_people(organization, now),
            *_purge_restore_window(organization, now),
        ]
        if dry_run:
            transaction.set_rollback(True)
            return purges
        for purge in purges:
            audit.record(
                None,
                audit.Action.PURGE,
                record_type=purge.record_type,
                record_id=purge.record_id,
                organization_id=organization.pk,
                detail=purge.detail,
            )
    return purges


def purge_due(
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    organizations: QuerySet[Organization] | None = None,
) -> RetentionReport:
    """Purge what is due in every organization (or those given), each in its own transaction.

    An organization that fails is rolled back and reported; the others go ahead. Errors are
    reported by type and place only: some exceptions (ProtectedError) carry records whose text
    must not reach the logs.
    """
    now = now or timezone.now()
    report = RetentionReport(now=now, dry_run=dry_run)
    queryset = Organization.objects.all() if organizations is None else organizations
    for organization in queryset.order_by("pk"):
        result = OrganizationReport(organization_id=organization.pk, name=organization.name)
        try:
            result.purges = purge_organization(organization, now, dry_run=dry_run)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            result.error = f"{type(error).__name__} at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}"
            logger.error("retention failed for organization %s: %s", organization.pk, result.error)
        report.organizations.append(result)
    return report
