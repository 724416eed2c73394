"""Writes and reads of reflections: saving with versions and conflicts, sharing, responses,
search, and the author's own summaries.

Callers reach a reflection through the doors in rsc/access.py first; these functions
trust the reflection and people they are given, and check only the rules of the domain.

Given the `request`, a change is recorded in the audit trail in the same transaction (who,
from which address, with which request id); scripts such as the demo pass none and leave
no trail. An edit is recorded once per sitting, when it starts a new version, not on every
autosave.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from rsc import audit
from rsc.models import AuditEvent, Child, Family, SupervisionAgreement, SupervisionSession
from rsc.models.agreements import provides_rsc
from rsc.models.reflections import (
    BABY_QUESTIONS,
    SECTION_FIELDS,
    SUMMARY_FIELDS,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    ResponseDraft,
)
from rsc.services import versions

# Everything a save may change, besides the sections.
META_FIELDS = ("title", "family", "session", "checkin_score", "checkin_words")
SEARCH_CONFIG = "english"
MAX_QUERY = 200


class ReflectionError(Exception):
    pass


class ReflectionConflict(ReflectionError):
    """Someone (or another tab) saved this reflection since this editor loaded it."""

    def __init__(self, current: Reflection):
        super().__init__("The reflection changed since it was opened.")
        self.current = current


def new_sitting() -> str:
    """A token for one page of editing; autosaves within it add to the same version."""
    return secrets.token_hex(8)


# --- What the author may attach a reflection to, and share it with -------------------------


def families_for_author(user: User) -> QuerySet[Family]:
    """The families a person may write about: those they are assigned to, open or closed."""
    return Family.objects.editable_by(user).order_by("code")


def sessions_for_author(user: User) -> QuerySet[SupervisionSession]:
    """Sessions a reflection may be for: ones the person takes part in, from the last three
    months and the next two, not cancelled."""
    now = timezone.now()
    return (
        SupervisionSession.objects.visible_to(user)
        .filter(participants__user=user)
        .exclude(status=SupervisionSession.Status.CANCELLED)
        .filter(starts_at__gte=now - datetime.timedelta(days=92), starts_at__lte=now + datetime.timedelta(days=62))
        .select_related("supervisor", "group", "agreement__supervisee")
        .order_by("starts_at")
    )


def supervisors_for_sharing(reflection: Reflection) -> QuerySet[User]:
    """Who the author may share with: supervisors with an agreement in force (active, and
    acknowledged by both), and the supervisor of the session the reflection is for when they
    facilitate a current group the author belongs to. The same rule as Reflection.objects.shared_with,
    so everyone offered can read what is shared."""
    author = reflection.author
    agreements = SupervisionAgreement.objects.in_force().filter(supervisee=author, supervisor=OuterRef("pk"))
    condition = Q(Exists(agreements))
    if reflection.session_id and reflection.session.deleted_at is None:
        condition |= Q(pk=reflection.session.supervisor_id) & provides_rsc(supervisor=OuterRef("pk"), supervisee=author)
    return (
        User.objects.filter(organization_id=author.organization_id, is_active=True, is_supervisor=True)
        .filter(condition)
        .exclude(pk=author.pk)
        .order_by("full_name")
    )


# --- Saving ---------------------------------------------------------------------------------


def _snapshot(reflection: Reflection) -> dict[str, str]:
    return {field: getattr(reflection, field) for field in SECTION_FIELDS}


def _read_by_others_since(reflection: Reflection, moment: datetime.datetime) -> bool:
    return reflection.shares.filter(last_read_at__gte=moment).exists()


def _shared_or_unshared_since(reflection: Reflection, moment: datetime.datetime) -> bool:
    """Whether a share began or ended since then: a version never spans what a supervisor may
    read and what they may not (rsc/services/versions.py)."""
    return reflection.shares.filter(Q(shared_at__gte=moment) | Q(revoked_at__gte=moment)).exists()


def _latest_version_number(reflection: Reflection) -> int | None:
    return reflection.versions.aggregate(latest=Max("number"))["latest"]


def _record_version(reflection: Reflection, actor: User, sitting: str) -> ReflectionVersion | None:
    """Keep the text as a version: refine this sitting's version, or start a new one (returned)."""
    now = timezone.now()
    latest = reflection.versions.order_by("-number").first()
    if (
        latest is not None
        and sitting
        and latest.sitting == sitting
        and latest.saved_by_id == actor.pk
        and not _read_by_others_since(reflection, latest.saved_at)
        and not _shared_or_unshared_since(reflection, latest.started_at)
    ):
        latest.title = reflection.title
        latest.sections = _snapshot(reflection)
        latest.saved_at = now
        latest.save(update_fields=["title", "sections", "saved_at"])
        return None
    return ReflectionVersion.objects.create(
        reflection=reflection,
        number=(latest.number + 1) if latest else 1,
        title=reflection.title,
        sections=_snapshot(reflection),
        sitting=sitting,
        saved_by=actor,
        started_at=now,
        saved_at=now,
    )


def reflection_create(*, author: User, data: dict, sitting: str = "", request: HttpRequest | None = None) -> Reflection:
    """A new private reflection from cleaned form data (sections and META_FIELDS)."""
    now = timezone.now()
    reflection = Reflection(organization_id=author.organization_id, author=author, created_at=now, updated_at=now)
    for field in (*SECTION_FIELDS, *META_FIELDS):
        if field in data:
            setattr(reflection, field, data[field])
    with transaction.atomic():
        reflection.save()
        _record_version(reflection, author, sitting)
        if request is not None:
            audit.record(request, audit.Action.CREATE, reflection, actor=author, detail={"sitting": sitting})
    return reflection


def _texts(reflection: Reflection) -> list[str]:
    return [reflection.title, *(getattr(reflection, field) for field in SECTION_FIELDS)]


@transaction.atomic
def reflection_save(
    *,
    reflection: Reflection,
    actor: User,
    data: dict,
    expected_revision: int,
    sitting: str = "",
    request: HttpRequest | None = None,
) -> tuple[Reflection, bool, int]:
    """Save the author's changes. Refuses, with ReflectionConflict, to overwrite a revision
    the editor did not start from. Returns the reflection, whether anything changed, and in how
    many earlier versions a removed identifying passage was replaced too (rsc/services/versions.py).

    In the audit trail: an edit when the text starts a new version; a change of the other details
    only (check-in, family, session) once per sitting."""
    # PostgreSQL cannot lock the nullable side of an outer join: lock the reflection row only.
    current = Reflection.objects.select_for_update(of=("self",)).select_related("session").get(pk=reflection.pk)
    if current.revision != expected_revision:
        raise ReflectionConflict(current)
    changed = [
        field for field in (*SECTION_FIELDS, *META_FIELDS) if field in data and getattr(current, field) != data[field]
    ]
    if not changed:
        return current, False, 0
    before = _texts(current)
    for field in changed:
        setattr(current, field, data[field])
    current.revision += 1
    current.updated_at = timezone.now()
    current.save()
    redacted = 0
    if any(field in SECTION_FIELDS or field == "title" for field in changed):
        version = _record_version(current, actor, sitting)
        if version is not None and request is not None:
            detail = {"version": version.number, "sitting": sitting}
            audit.record(request, audit.Action.EDIT, current, actor=actor, detail=detail)
        passages = versions.removed_passages(before, _texts(current), kept=current.kept_passages)
        redacted = versions.reflection_versions_redact(reflection=current, passages=passages, request=request)
    elif request is not None and not audit.recorded_in_sitting(current, actor=actor, sitting=sitting):
        detail = {"fields": sorted(changed), "sitting": sitting}
        audit.record(request, audit.Action.EDIT, current, actor=actor, detail=detail)
    return current, True, redacted


def keep_passages(*, reflection: Reflection, passages: list[str]) -> None:
    """Remember passages the author chose to keep although they looked identifying."""
    kept = list(dict.fromkeys([*reflection.kept_passages, *passages]))[-50:]
    Reflection.objects.filter(pk=reflection.pk).update(kept_passages=kept)
    reflection.kept_passages = kept


def reflection_delete(*, reflection: Reflection, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        reflection.deleted_at = timezone.now()
        reflection.save(update_fields=["deleted_at"])
        if request is not None:
            audit.record(request, audit.Action.DELETE, reflection)


def reflection_restore(*, reflection: Reflection, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        reflection.deleted_at = None
        reflection.save(update_fields=["deleted_at"])
        if request is not None:
            audit.record(request, audit.Action.RESTORE, reflection)


# --- Holding the baby in mind ---------------------------------------------------------------


@dataclass(frozen=True)
class BabyPrompt:
    child: Child
    question: str


def baby_prompt(reflection: Reflection) -> BabyPrompt | None:
    """One gentle question about the youngest child, when the reflection is about a family with
    a young child and says nothing yet about the baby's experience."""
    if reflection.baby_experience.strip() or not reflection.family_id:
        return None
    young = [child for child in reflection.family.children.all() if child.is_young]
    if not young:
        return None
    child = max(young, key=lambda c: c.birth_month)
    template = BABY_QUESTIONS[(reflection.pk or 0) % len(BABY_QUESTIONS)]
    return BabyPrompt(child=child, question=str(template) % {"child": child.label, "age": child.age_text()})


# --- Sharing and responses ------------------------------------------------------------------


@transaction.atomic
def reflection_share(
    *, reflection: Reflection, supervisors: list[User], request: HttpRequest | None = None
) -> list[ReflectionShare]:
    """Share with each supervisor not already sharing; returns the new shares."""
    active = set(reflection.shares.filter(revoked_at__isnull=True).values_list("supervisor_id", flat=True))
    now = timezone.now()
    # The version standing now holds the text as shared; the next save starts a new one.
    standing = _latest_version_number(reflection) or 1
    created = []
    for supervisor in supervisors:
        # The same person named twice is shared with once.
        if supervisor.pk not in active:
            created.append(
                ReflectionShare.objects.create(
                    reflection=reflection, supervisor=supervisor, shared_at=now, first_version=standing
                )
            )
            active.add(supervisor.pk)
    if created and request is not None:
        detail = {"supervisors": [share.supervisor_id for share in created]}
        audit.record(request, audit.Action.SHARE, reflection, detail=detail)
    return created


def reflection_unshare(*, reflection: Reflection, supervisor_id: int, request: HttpRequest | None = None) -> bool:
    """Stop sharing with one supervisor. The share row stays, with what they had read."""
    with transaction.atomic():
        # What they may look back on ends with the version standing now; the next save starts another.
        stopped = reflection.shares.filter(supervisor_id=supervisor_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), last_version=_latest_version_number(reflection)
        )
        if stopped and request is not None:
            audit.record(request, audit.Action.UNSHARE, reflection, detail={"supervisor": supervisor_id})
    return bool(stopped)


def response_add(
    *, reflection: Reflection, author: User, text: str, request: HttpRequest | None = None
) -> ReflectionResponse:
    with transaction.atomic():
        response = ReflectionResponse.objects.create(reflection=reflection, author=author, text=text)
        ResponseDraft.objects.filter(reflection=reflection, author=author).delete()
        if request is not None:
            audit.record(request, audit.Action.RESPOND, reflection, actor=author, detail={"response": response.pk})
    return response


def response_draft_save(*, reflection: Reflection, author: User, text: str) -> ResponseDraft:
    draft, _created = ResponseDraft.objects.update_or_create(
        reflection=reflection, author=author, defaults={"text": text, "updated_at": timezone.now()}
    )
    return draft


def mark_read(*, reflection: Reflection, reader: User) -> None:
    """The author has seen the responses; a supervisor has read what was shared with them."""
    now = timezone.now()
    if reader.pk == reflection.author_id:
        Reflection.objects.filter(pk=reflection.pk).update(author_seen_at=now)
        return
    share = reflection.shares.filter(supervisor=reader, revoked_at__isnull=True).first()
    if share is not None:
        share.last_read_at = now
        share.first_read_at = share.first_read_at or now
        share.save(update_fields=["first_read_at", "last_read_at"])


@dataclass(frozen=True)
class Reader:
    name: str
    last_read_at: datetime.datetime
    supervises_author: bool


def readers(reflection: Reflection) -> list[Reader]:
    """Who besides the author has read the reflection, by the audit trail, each with their most
    recent read, newest first; someone who has since left has no name. One query."""
    supervises = SupervisionAgreement.objects.in_force().filter(
        supervisor=OuterRef("actor_id"), supervisee=reflection.author_id
    )
    rows = (
        AuditEvent.objects.filter(
            organization_id=reflection.organization_id,
            record_type=AuditEvent.RecordType.REFLECTION,
            record_id=reflection.pk,
            action=AuditEvent.Action.READ,
        )
        .exclude(actor_id=reflection.author_id)
        .values("actor_id", "actor__full_name")
        .annotate(last_read_at=Max("at"), supervises_author=Exists(supervises))
        .order_by("-last_read_at", "actor_id")
    )
    return [
        Reader(
            name=row["actor__full_name"] or "",
            last_read_at=row["last_read_at"],
            supervises_author=row["supervises_author"],
        )
        for row in rows
        # An event without an actor is the system's, not a reader's.
        if row["actor_id"] is not None
    ]


EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def with_new_responses(reflections: QuerySet[Reflection], user: User) -> QuerySet[Reflection]:
    """Annotate each reflection with how many responses by others the author has not seen yet."""
    unseen = (
        ReflectionResponse.objects.filter(reflection=OuterRef("pk"))
        .exclude(author=user)
        .filter(created_at__gt=Coalesce(OuterRef("author_seen_at"), Value(EPOCH)))
        .order_by()
        .values("reflection")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return reflections.annotate(new_responses=Coalesce(Subquery(unseen), 0))


def shared_for_session(session: SupervisionSession, supervisor: User, participants: list[int]) -> list[Reflection]:
    """What the supervisor should read before a session: reflections shared with them for this
    session, and the participants' other shared reflections they have not read yet."""
    unread = ReflectionShare.objects.filter(
        reflection=OuterRef("pk"), supervisor=supervisor, revoked_at__isnull=True, first_read_at__isnull=True
    )
    return list(
        Reflection.objects.shared_with(supervisor)
        .annotate(unread=Exists(unread))
        .filter(Q(session=session) | Q(session__isnull=True, author_id__in=participants, unread=True))
        .select_related("author", "family")
        .order_by("-updated_at", "-pk")[:20]
    )


# --- Search ---------------------------------------------------------------------------------


def search(reflections: QuerySet[Reflection], query: str) -> QuerySet[Reflection]:
    """Full-text search on PostgreSQL; on SQLite, every word must appear somewhere."""
    query = " ".join(query.split())
    if len(query) > MAX_QUERY:
        # Cut at a word boundary: half a word would match nothing and empty the results.
        cut = query[: MAX_QUERY + 1]
        query = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY]
    if not query:
        return reflections
    if connection.vendor == "postgresql":
        vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
            *SECTION_FIELDS, weight="B", config=SEARCH_CONFIG
        )
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        # Match with @@: ts_rank gives documents that do not match a tiny positive rank (1e-20),
        # so "rank > 0" would keep every reflection.
        return (
            reflections.alias(document=vector)
            .annotate(rank=SearchRank(F("document"), search_query))
            .filter(Q(document=search_query) | Q(family__code__iexact=query))
            .order_by("-rank", "-updated_at", "-pk")
        )
    every_word = Q()
    for word in query.split()[:10]:
        condition = Q(title__icontains=word) | Q(family__code__iexact=word)
        for field in SECTION_FIELDS:
            condition |= Q(**{f"{field}__icontains": word})
        every_word &= condition
    # A family code may have a space in it ("Blue 7"), as on PostgreSQL.
    return reflections.filter(every_word | Q(family__code__iexact=query)).order_by("-updated_at", "-pk")


# --- The author's own summaries -------------------------------------------------------------


@dataclass(frozen=True)
class MonthSummary:
    month: datetime.date
    total: int
    counts: dict[str, int]

    def share(self, field: str) -> int:
        """Percentage of the month's reflections that touched the perspective."""
        return round(100 * self.counts[field] / self.total) if self.total else 0


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def perspectives_summary(user: User, months: int = 6) -> list[MonthSummary]:
    """For each of the last months, how many of the person's reflections touched the baby's,
    the caregivers' and their own perspective. One query."""
    today = timezone.localdate()
    first = _month_start(today, months - 1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    rows = Reflection.objects.written_by(user).filter(created_at__gte=start).values_list("created_at", *SUMMARY_FIELDS)
    totals = {_month_start(today, back): {"total": 0, **dict.fromkeys(SUMMARY_FIELDS, 0)} for back in range(months)}
    for created_at, *texts in rows:
        local = timezone.localtime(created_at, tz).date().replace(day=1)
        if local not in totals:
            continue
        totals[local]["total"] += 1
        for field, text in zip(SUMMARY_FIELDS, texts, strict=True):
            if text.strip():
                totals[local][field] += 1
    return [
        MonthSummary(month=month, total=values.pop("total"), counts=values) for month, values in sorted(totals.items())
    ]


@dataclass(frozen=True)
class CheckIn:
    day: datetime.date
    score: int
    words: str
    reflection_id: int


def checkin_trend(user: User, limit: int = 20) -> list[CheckIn]:
    """The person's most recent check-ins, oldest first."""
    rows = (
        Reflection.objects.written_by(user)
        .filter(checkin_score__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", "checkin_score", "checkin_words", "pk")[:limit]
    )
    return [
        CheckIn(day=timezone.localtime(created).date(), score=score, words=words, reflection_id=pk)
        for created, score, words, pk in reversed(rows)
    ]


def latest_activity(reflections: QuerySet[Reflection]) -> QuerySet[Reflection]:
    return reflections.annotate(last_response_at=Max("responses__created_at"))
