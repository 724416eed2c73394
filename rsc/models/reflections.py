"""Reflections: a practitioner's own writing about a family or a session, by perspective.

A reflection is private to its author until they share it with a supervisor. Every
saved state is kept as a version; the check-in at the top is for the author alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rsc.models.agreements import RIOS_ELEMENTS, provides_rsc

# The collaborative tasks named by RIOS™ (the same source as RIOS_ELEMENTS): how a reflective
# conversation moves, from what happened to what it means for the next visit. Tasks, not elements.
RIOS_TASKS = [
    ("describing", _("Describing")),
    ("responding", _("Responding")),
    ("exploring", _("Exploring")),
    ("linking", _("Linking")),
    ("integrating", _("Integrating")),
]


@dataclass(frozen=True)
class Section:
    """One perspective of a reflection: its field, heading, the RIOS™ essential element or
    collaborative task it serves, and guiding prompts."""

    field: str
    label: Promise
    short: Promise
    rios: str  # a key of RIOS_ELEMENTS or of RIOS_TASKS
    prompts: tuple[Promise, ...]

    @property
    def rios_kind(self) -> str:
        """Whether the section serves an "element" (what the conversation is about) or a "task" (how it moves)."""
        return "element" if self.rios in dict(RIOS_ELEMENTS) else "task"

    @property
    def rios_label(self) -> str:
        return str({**dict(RIOS_ELEMENTS), **dict(RIOS_TASKS)}[self.rios])


# The prompts are our own wording. Each section names the one RIOS™ essential element or
# collaborative task it serves most plainly (docs: practice.md, "A shared vocabulary"):
# - what happened: Describing, the task that starts every reflective conversation (what a camera
#   would have seen, before feelings and meanings);
# - the baby's experience: Holding the Baby in Mind;
# - the caregivers' experience and the family's story, culture and context: Understanding the
#   Family Story, the family as they might tell it, caregivers' feelings and strengths included
#   (the practitioner's own feelings belong to Professional Use of Self, not to Responding here);
# - my own response: Professional Use of Self;
# - parallel process: Parallel Process;
# - what I wonder about: Exploring, the task of wondering and staying curious;
# - next steps: Integrating, the task of drawing it together for the next visit.
# Reflective Alliance (the supervisory relationship itself) and Linking have no section of their
# own: they live in the conversation, and session notes tag the elements (RIOS_ELEMENTS).
SECTIONS = (
    Section(
        "what_happened",
        _("What happened"),
        _("What happened"),
        "describing",
        (
            _("Describe a moment from the visit as plainly as you can, as a camera might have seen it."),
            _("Who was there, and where was everyone in the room?"),
            _("What stayed with you after you left?"),
        ),
    ),
    Section(
        "baby_experience",
        _("The baby’s experience"),
        _("Baby"),
        "baby_in_mind",
        (
            _("Where was the baby during this, and what were they doing?"),
            _("If the baby could tell us about this visit, what might they say?"),
            _("What could the baby be learning about people from moments like this one?"),
            _("At this age, what does this child need most right now?"),
        ),
    ),
    Section(
        "caregiver_experience",
        _("The caregivers’ experience"),
        _("Caregivers"),
        "family_story",
        (
            _("What might this have felt like for the parent or caregiver?"),
            _("What is making things hard for them at the moment?"),
            _("Which strengths did you notice, even small ones?"),
        ),
    ),
    Section(
        "family_context",
        _("The family’s story, culture and context"),
        _("Family story"),
        "family_story",
        (
            _("How might the family tell their own story of this time?"),
            _("What do we know, and not yet know, about their beliefs and traditions around babies?"),
            _("Which outside pressures (housing, money, systems) were in the room?"),
            _("Where might your own lens be shaping what you see?"),
        ),
    ),
    Section(
        "own_response",
        _("My own response"),
        _("My response"),
        "use_of_self",
        (
            _("What were you feeling during the visit, and what are you feeling now?"),
            _("Does this family bring anyone to mind from your own life or work?"),
            _("What did you want to say or do, and what held you back?"),
            _("What would help you keep going with this family?"),
        ),
    ),
    Section(
        "parallel_process",
        _("Parallel process"),
        _("Parallel process"),
        "parallel_process",
        (
            _("Is something between parent and baby showing up between you and the parent?"),
            _("Is any of it showing up between you and your supervisor?"),
        ),
    ),
    Section(
        "wondering",
        _("What I wonder about"),
        _("Wondering"),
        "exploring",
        (
            _("What are you curious about that you have not been able to ask yet?"),
            _("What would you like to think through together in supervision?"),
        ),
    ),
    Section(
        "next_steps",
        _("Next steps"),
        _("Next steps"),
        "integrating",
        (
            _("What feels different now that you have written this?"),
            _("What will you try, or watch for, at the next visit?"),
            _("Does anything need its own conversation, such as safety or an administrative follow-up?"),
        ),
    ),
)
SECTION_FIELDS = tuple(section.field for section in SECTIONS)
# The perspectives the summary follows over time.
SUMMARY_FIELDS = ("baby_experience", "caregiver_experience", "own_response")

# Questions about one child, for the gentle prompt when the baby's section is empty.
BABY_QUESTIONS = (
    _("If %(child)s (%(age)s) could tell us about this time, what might they say?"),
    _("Where was %(child)s (%(age)s) while this was happening, and what were they doing?"),
    _("What might %(child)s (%(age)s) need most from the grown-ups around them right now?"),
    _("What could %(child)s (%(age)s) be learning about people from moments like these?"),
)


class ReflectionQuerySet(models.QuerySet):
    def alive(self) -> "ReflectionQuerySet":
        return self.filter(deleted_at__isnull=True)

    def written_by(self, user) -> "ReflectionQuerySet":
        """The person's own reflections, which they may read and change."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return self.alive().filter(organization_id=user.organization_id, author=user)

    @staticmethod
    def _shared_now(user) -> Q:
        """Shared with the person, and they still provide RSC to the author.

        A share outlives neither the agreement nor the group that allowed it: once the agreement
        ends (or waits for acknowledgements again) and no current group joins them, the former
        supervisor reads nothing of it, old or new. Three EXISTS subqueries, no joins.
        """
        shares = ReflectionShare.objects.filter(reflection=OuterRef("pk"), supervisor=user, revoked_at__isnull=True)
        return Q(Exists(shares)) & provides_rsc(supervisor=user, supervisee=OuterRef("author"))

    def shared_with(self, user) -> "ReflectionQuerySet":
        """Reflections shared with the person by someone they currently supervise."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return (
            self.alive()
            .filter(organization_id=user.organization_id)
            .exclude(author=user)
            .filter(self._shared_now(user))
        )

    def visible_to(self, user) -> "ReflectionQuerySet":
        """Reflections a person may read: their own, and those shared with them by someone they supervise now."""
        if not (user.is_authenticated and user.is_active and user.organization_id):
            return self.none()
        return self.alive().filter(organization_id=user.organization_id).filter(Q(author=user) | self._shared_now(user))


class Reflection(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reflections")
    family = models.ForeignKey(
        "rsc.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("family"),
    )
    session = models.ForeignKey(
        "rsc.SupervisionSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("for the session"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    what_happened = models.TextField(_("what happened"), blank=True)
    baby_experience = models.TextField(_("the baby’s experience"), blank=True)
    caregiver_experience = models.TextField(_("the caregivers’ experience"), blank=True)
    family_context = models.TextField(_("the family’s story, culture and context"), blank=True)
    own_response = models.TextField(_("my own response"), blank=True)
    parallel_process = models.TextField(_("parallel process"), blank=True)
    wondering = models.TextField(_("what I wonder about"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    # The private check-in: for the author's eyes only, never in versions or shared views.
    checkin_score = models.PositiveSmallIntegerField(_("how I am doing"), null=True, blank=True)
    checkin_words = models.CharField(_("in a word or two"), max_length=60, blank=True)
    # Passages the author chose to keep although they looked identifying.
    kept_passages = models.JSONField(default=list, blank=True)
    # Optimistic concurrency: each save must name the revision it started from.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When the author last read the responses, so new ones can be pointed out.
    author_seen_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["author", "deleted_at", "-updated_at"], name="rsc_reflection_author"),
            models.Index(fields=["organization", "created_at"], name="rsc_reflection_org_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checkin_score__isnull=True) | Q(checkin_score__gte=1, checkin_score__lte=5),
                name="rsc_reflection_checkin_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reflection_detail", args=[self.pk])

    def texts(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in SECTION_FIELDS}

    @property
    def has_text(self) -> bool:
        return bool(self.title.strip() or any(text.strip() for text in self.texts().values()))

    def touched(self) -> list[Section]:
        """The perspectives this reflection has something to say about."""
        return [section for section in SECTIONS if getattr(self, section.field).strip()]

    @property
    def heading(self) -> str:
        """The title, or the first words of the first section written, for lists."""
        if self.title.strip():
            return self.title.strip()
        for field in SECTION_FIELDS:
            text = " ".join(getattr(self, field).split())
            if text:
                return text if len(text) <= 70 else text[:69].rstrip() + "…"
        return str(_("Untitled reflection"))


class ReflectionShare(models.Model):
    """A reflection shared with one supervisor. Unsharing keeps the row, so what was seen is remembered."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="shares")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_read_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    # The versions the supervisor may look back on: from the one standing when it was shared to
    # the last one before it was unshared (None while shared). Nothing written before sharing, or
    # while unshared, is theirs to read.
    first_version = models.PositiveIntegerField(null=True, blank=True)
    last_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["shared_at", "pk"]
        indexes = [models.Index(fields=["supervisor", "revoked_at"], name="rsc_share_supervisor")]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "supervisor"],
                condition=Q(revoked_at__isnull=True),
                name="rsc_share_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection {self.reflection_id} shared with {self.supervisor_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReflectionResponse(models.Model):
    """One message in the short thread under a shared reflection."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("response"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["reflection", "created_at"], name="rsc_response_thread")]

    def __str__(self) -> str:
        return f"Response {self.pk} to reflection {self.reflection_id}"


class ResponseDraft(models.Model):
    """A response being written, kept on the server so nothing typed is lost."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reflection", "author"], name="rsc_response_draft_unique")]

    def __str__(self) -> str:
        return f"Draft response to reflection {self.reflection_id}"


class ReflectionVersion(models.Model):
    """The text of a reflection as it stood. One version per sitting of writing, so that
    autosaving every few seconds does not bury the history; a new version starts when
    someone other than the author has read the text since."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120, blank=True)
    sections = models.JSONField(default=dict)
    sitting = models.CharField(max_length=32, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["reflection", "number"], name="rsc_reflection_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of reflection {self.reflection_id}"

    def section_texts(self) -> list[tuple[Section, str]]:
        return [(section, self.sections.get(section.field, "")) for section in SECTIONS]

    @property
    def shows_removed(self) -> bool:
        """Whether a passage was taken out of this version (rsc/services/versions.py)."""
        return any("[removed]" in text for text in [self.title, *self.sections.values()])
