"""Earlier versions of reflections and session notes: who may look back on which, and taking a
passage out of all of them once its writer has removed it.

A reflection's author sees every version. A supervisor it is shared with sees the text as it
stood when it was shared and what was written while the share lasted: never what came before
the first share, nor what was written while it was unshared (`ReflectionShare.first_version` and
`last_version` mark each share's reach; saves start a new version at every share and unshare,
so no version straddles the line).

When the writer removes a passage that the identifying-text check pointed at (and that they had
not chosen to keep), the passage is replaced by REMOVED in every earlier version too, so the
warning's advice holds for the history as well. The audit trail records that it happened and in
how many versions, never the passage.
"""

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from rsc import audit
from rsc.deidentify import identifying_texts, shown_as
from rsc.models import Reflection, ReflectionVersion, SessionNoteVersion, SupervisionSession

# What stands in for a removed passage. Stored in the versions, so it is not translated.
REMOVED = "[removed]"


def versions_for_reader(reflection: Reflection, user) -> QuerySet[ReflectionVersion]:
    """The versions of a reflection (already reached through its door) that this person may read."""
    versions = reflection.versions.all()
    if user.pk == reflection.author_id:
        return versions
    reach = Q(pk__in=[])
    for first, last in reflection.shares.filter(supervisor=user).values_list("first_version", "last_version"):
        window = Q(number__gte=first or 1)
        if last is not None:
            window &= Q(number__lte=last)
        reach |= window
    return versions.filter(reach)


def removed_passages(before: list[str], after: list[str], *, kept: list[str]) -> list[str]:
    """The exact passages the identifying-text check points at in the texts `before`, that are no
    longer anywhere in the texts `after` and that the writer did not choose to keep; longest first,
    so that a longer passage is replaced before a shorter one inside it."""
    remaining = "\n".join(after)
    gone: dict[str, None] = {}
    for text in before:
        # Every exact passage: two long ones that start alike share one (cut) warning, not one text.
        for exact in identifying_texts(text):
            if shown_as(exact) in kept or exact in kept or exact in remaining:
                continue
            gone[exact] = None
    return sorted(gone, key=len, reverse=True)


def _without(text: str, passages: list[str]) -> str:
    for passage in passages:
        text = text.replace(passage, REMOVED)
    return text


def reflection_versions_redact(
    *, reflection: Reflection, passages: list[str], request: HttpRequest | None = None
) -> int:
    """Replace the passages in every version of the reflection; return how many versions changed.
    Run inside the transaction that saved the text without them."""
    if not passages:
        return 0
    changed = []
    for version in reflection.versions.all():
        title = _without(version.title, passages)
        sections = {field: _without(text, passages) for field, text in version.sections.items()}
        if title != version.title or sections != version.sections:
            version.title, version.sections = title, sections
            changed.append(version)
    ReflectionVersion.objects.bulk_update(changed, ["title", "sections"])
    if changed and request is not None:
        detail = {"versions": len(changed), "passages": len(passages)}
        audit.record(request, audit.Action.REDACT, reflection, detail=detail)
    return len(changed)


def note_versions_redact(
    *, session: SupervisionSession, passages: list[str], request: HttpRequest | None = None
) -> int:
    """The same for the earlier versions of a session's notes."""
    if not passages:
        return 0
    changed = []
    for version in session.note_versions.all():
        notes = _without(version.notes, passages)
        if notes != version.notes:
            version.notes = notes
            changed.append(version)
    SessionNoteVersion.objects.bulk_update(changed, ["notes"])
    if changed and request is not None:
        detail = {"versions": len(changed), "passages": len(passages)}
        audit.record(request, audit.Action.REDACT, session, detail=detail)
    return len(changed)
