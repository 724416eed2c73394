from rsc.models.agreements import RIOS_ELEMENTS, RSCGroup, SupervisionAgreement
from rsc.models.audit import AuditEvent
from rsc.models.families import Caregiver, Child, Family
from rsc.models.reflections import (
    SECTIONS,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    ResponseDraft,
)
from rsc.models.sessions import (
    AgendaItem,
    FollowUp,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionReply,
    SessionSeries,
    SupervisionSession,
)

__all__ = [
    "RIOS_ELEMENTS",
    "SECTIONS",
    "AgendaItem",
    "AuditEvent",
    "Caregiver",
    "Child",
    "Family",
    "FollowUp",
    "RSCGroup",
    "Reflection",
    "ReflectionResponse",
    "ReflectionShare",
    "ReflectionVersion",
    "ResponseDraft",
    "SessionElement",
    "SessionEvent",
    "SessionNoteVersion",
    "SessionParticipant",
    "SessionReply",
    "SessionSeries",
    "SupervisionAgreement",
    "SupervisionSession",
]
