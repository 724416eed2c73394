"""A person's own data: everything they wrote, and their session log, as a zip of CSV and JSON.

Only ever the signed-in person's own records: their reflections (never others', even those
shared with them), the responses, agenda items and replies under session notes they wrote, and
the sessions they took part in or led. Built in memory with a fixed number of queries, whatever the number of records.
"""

import datetime
import io
import json
import zipfile

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from rsc.lib.csv import csv_bytes
from rsc.models import (
    AgendaItem,
    ReflectionResponse,
    ReflectionShare,
    SessionParticipant,
    SessionReply,
    SupervisionSession,
)
from rsc.models.reflections import SECTION_FIELDS, Reflection, ReflectionVersion

REFLECTION_COLUMNS = [
    "id",
    "title",
    "family",
    "session_date",
    "created",
    "updated",
    *SECTION_FIELDS,
    "checkin_score",
    "checkin_words",
    "shared_with",
]
RESPONSE_COLUMNS = ["id", "reflection_id", "reflection_author", "written", "text"]
AGENDA_COLUMNS = ["id", "session_id", "session_date", "family", "text", "written"]
REPLY_COLUMNS = ["id", "session_id", "session_date", "written", "text"]
SESSION_COLUMNS = [
    "session_id",
    "date",
    "start",
    "duration_minutes",
    "modality",
    "status",
    "role",
    "attendance",
    "supervisor",
    "with",
    "signed",
    "signed_at",
]

README = """RSC Records: your own data
Prepared for {name} <{email}> on {moment}.
Times are in your time zone ({time_zone}).

Each list comes twice, with the same rows: as CSV, for a spreadsheet, and as JSON, for a program.
In the CSV files a cell that begins with = + - or @ starts with an apostrophe, so that a spreadsheet
shows it as text instead of running it; the JSON files keep your text exactly as you wrote it.

reflections.csv / reflections.json
    Your reflections (not the deleted ones): title, family code, the date of the session they are
    for, when you wrote and last changed them, every section, your private check-in, and the
    supervisors they are shared with now. The JSON also has each earlier version, and when each
    sharing started and stopped.
responses.csv / responses.json
    The responses you wrote in the threads under reflections, with whose reflection each was on.
agenda_items.csv / agenda_items.json
    What you asked to bring to sessions.
session_replies.csv / session_replies.json
    The replies you wrote under the notes of your sessions, with the session and its date.
sessions.csv / sessions.json
    Your session log: every session you took part in or led, with its date, start time, length,
    how it was held, its status, your role, your attendance, the supervisor, the person or group
    it was with, and whether it was signed.

Not included: other people's writing, such as reflections shared with you, their responses and
replies, and the supervisor's session notes.
"""


def _alive_sessions(user: User) -> QuerySet[SupervisionSession]:
    return SupervisionSession.objects.alive().filter(organization_id=user.organization_id)


def own_responses(user: User) -> QuerySet[ReflectionResponse]:
    """Responses the person wrote, under reflections that are not deleted."""
    return ReflectionResponse.objects.filter(
        author=user, reflection__organization_id=user.organization_id, reflection__deleted_at__isnull=True
    )


def own_agenda_items(user: User) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(author=user, session__in=_alive_sessions(user))


def own_session_replies(user: User) -> QuerySet[SessionReply]:
    return SessionReply.objects.filter(author=user, session__in=_alive_sessions(user))


def participations(user: User) -> QuerySet[SessionParticipant]:
    return SessionParticipant.objects.filter(user=user, session__in=_alive_sessions(user))


def sessions_led(user: User) -> QuerySet[SupervisionSession]:
    return _alive_sessions(user).filter(supervisor=user)


def _local(moment: datetime.datetime | None, tz) -> str:
    return timezone.localtime(moment, tz).isoformat(timespec="seconds") if moment else ""


def _people(shares: list[ReflectionShare]) -> list[str]:
    return [share.supervisor.full_name for share in shares if share.revoked_at is None]


def reflection_rows(user: User, tz) -> list[dict]:
    shares = ReflectionShare.objects.select_related("supervisor").order_by("shared_at", "pk")
    versions = ReflectionVersion.objects.order_by("number")
    reflections = (
        Reflection.objects.written_by(user)
        .select_related("family", "session")
        .prefetch_related(Prefetch("shares", queryset=shares), Prefetch("versions", queryset=versions))
        .order_by("created_at", "pk")
    )
    rows = []
    for reflection in reflections:
        session = reflection.session
        rows.append(
            {
                "id": reflection.pk,
                "title": reflection.title,
                "family": reflection.family.code if reflection.family else "",
                "session_date": timezone.localtime(session.starts_at, tz).date().isoformat() if session else "",
                "created": _local(reflection.created_at, tz),
                "updated": _local(reflection.updated_at, tz),
                **reflection.texts(),
                "checkin_score": reflection.checkin_score,
                "checkin_words": reflection.checkin_words,
                "shared_with": _people(reflection.shares.all()),
                "sharing": [
                    {
                        "with": share.supervisor.full_name,
                        "shared": _local(share.shared_at, tz),
                        "stopped": _local(share.revoked_at, tz),
                    }
                    for share in reflection.shares.all()
                ],
                "versions": [
                    {
                        "number": version.number,
                        "saved": _local(version.saved_at, tz),
                        "title": version.title,
                        "sections": {field: version.sections.get(field, "") for field in SECTION_FIELDS},
                    }
                    for version in reflection.versions.all()
                ],
            }
        )
    return rows


def response_rows(user: User, tz) -> list[dict]:
    responses = own_responses(user).select_related("reflection__author").order_by("created_at", "pk")
    return [
        {
            "id": response.pk,
            "reflection_id": response.reflection_id,
            "reflection_author": response.reflection.author.full_name,
            "written": _local(response.created_at, tz),
            "text": response.text,
        }
        for response in responses
    ]


def agenda_rows(user: User, tz) -> list[dict]:
    items = own_agenda_items(user).select_related("session", "family")
    items = items.order_by("session__starts_at", "created_at", "pk")
    return [
        {
            "id": item.pk,
            "session_id": item.session_id,
            "session_date": timezone.localtime(item.session.starts_at, tz).date().isoformat(),
            "family": item.family.code if item.family else "",
            "text": item.text,
            "written": _local(item.created_at, tz),
        }
        for item in items
    ]


def reply_rows(user: User, tz) -> list[dict]:
    replies = own_session_replies(user).select_related("session").order_by("session__starts_at", "created_at", "pk")
    return [
        {
            "id": reply.pk,
            "session_id": reply.session_id,
            "session_date": timezone.localtime(reply.session.starts_at, tz).date().isoformat(),
            "written": _local(reply.created_at, tz),
            "text": reply.text,
        }
        for reply in replies
    ]


def _session_row(session: SupervisionSession, tz, *, role: str, attendance: str, with_whom: str) -> dict:
    start = timezone.localtime(session.starts_at, tz)
    return {
        "session_id": session.pk,
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "duration_minutes": session.duration_minutes,
        "modality": session.modality,
        "status": session.status,
        "role": role,
        "attendance": attendance,
        "supervisor": session.supervisor.full_name,
        "with": with_whom,
        "signed": session.is_signed,
        "signed_at": _local(session.signed_at, tz),
    }


def session_rows(user: User, tz) -> list[dict]:
    taken_part = participations(user).select_related("session__supervisor", "session__group")
    led = sessions_led(user).select_related("supervisor", "group", "agreement__supervisee")
    rows = [
        _session_row(
            part.session,
            tz,
            role="group member" if part.session.group_id else "supervisee",
            attendance=part.attendance,
            with_whom=part.session.group.name if part.session.group_id else part.session.supervisor.full_name,
        )
        for part in taken_part
    ]
    rows += [
        _session_row(
            session,
            tz,
            role="supervisor",
            attendance="",
            with_whom=session.group.name if session.group_id else session.agreement.supervisee.full_name,
        )
        for session in led
    ]
    return sorted(rows, key=lambda row: (row["date"], row["start"], row["session_id"]))


def counts_for(user: User) -> dict[str, int]:
    """How many records of each kind the download will hold (the same filters as the rows)."""
    return {
        "reflections": Reflection.objects.written_by(user).count(),
        "responses": own_responses(user).count(),
        "agenda_items": own_agenda_items(user).count(),
        "session_replies": own_session_replies(user).count(),
        "sessions": participations(user).count() + sessions_led(user).count(),
    }


def to_json(rows: list[dict]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=2).encode()


def build_archive(user: User) -> tuple[bytes, dict[str, int]]:
    """The zip of the person's own data, and how many records of each kind it holds."""
    tz = timezone.get_current_timezone()
    now = timezone.localtime(timezone.now(), tz)
    tables = {
        "reflections": (REFLECTION_COLUMNS, reflection_rows(user, tz)),
        "responses": (RESPONSE_COLUMNS, response_rows(user, tz)),
        "agenda_items": (AGENDA_COLUMNS, agenda_rows(user, tz)),
        "session_replies": (REPLY_COLUMNS, reply_rows(user, tz)),
        "sessions": (SESSION_COLUMNS, session_rows(user, tz)),
    }
    zone = getattr(tz, "key", str(tz))
    readme = README.format(name=user.full_name, email=user.email, moment=now.strftime("%Y-%m-%d %H:%M"), time_zone=zone)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme.encode())
        for name, (columns, rows) in tables.items():
            archive.writestr(f"{name}.csv", csv_bytes(columns, rows))
            archive.writestr(f"{name}.json", to_json(rows))
    return buffer.getvalue(), {name: len(rows) for name, (_columns, rows) in tables.items()}
