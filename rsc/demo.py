"""Fictional demo records for ``manage.py seed_demo``.

Two kinds of data live here:

* The hand-written demo: families, agreements, a group, a few months of
  sessions and the practitioners' reflections for the two demo
  organizations. Every family is known by a code, every child by initials or
  a nickname and a birth month, every caregiver by their role; all of it is
  invented. It is built through the same services the screens use, so the
  records look exactly like ones people made.
* The volume data for performance work: many families, about a hundred
  thousand sessions and a reflection per family a month, in a separate
  organization, written with bulk inserts.

Both are rebuilt from scratch on each run, and only inside their own
organizations.
"""

import bisect
import datetime
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.deletion import ProtectedError, RestrictedError
from django.db.models.functions import JSONObject
from django.utils import timezone

from accounts.models import Organization, User
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
    RSCGroup,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionReply,
    SessionSeries,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.agreements import RIOS_ELEMENTS, Cadence, Format
from rsc.models.reflections import SECTION_FIELDS
from rsc.services import reflections as reflection_services
from rsc.services import sessions as session_services

Context = Family.Context
Rel = Caregiver.Relationship
Status = SupervisionSession.Status
Modality = SupervisionSession.Modality
Attendance = SessionParticipant.Attendance
Kind = FollowUp.Kind

WEEKS_BACK = 17  # about four months of history
WEEKS_AHEAD = 6

CRISIS_VISIT = "Practitioner on a crisis visit with a family"
SUPERVISOR_ILL = "Supervisor ill"


class DemoError(Exception):
    """Something stops the demo from being rebuilt; the message is for the person running it."""


# ---------------------------------------------------------------------------
# The hand-written demo
# ---------------------------------------------------------------------------
#
# Families: "age" is the child's age in months today; a negative age is a baby
# on the way, due in that many months.

FAMILIES = {
    "Demo Family Services": [
        {
            "code": "JM-2",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner@demo.example"],
            "opened_days_ago": 95,
            "children": [("Bean", -2)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "J",
                    "Expecting her first baby. Speaks Tagalog and English; her own mother plans to come from "
                    "overseas for the first months. Her shifts were cut this spring and money is tight.",
                ),
                (
                    Rel.FATHER,
                    "M",
                    "Works nights and joins visits by phone when he can. Quietly excited, and wonders aloud "
                    "whether he will know what to do.",
                ),
            ],
        },
        {
            "code": "Blue 7",
            "context": Context.EARLY_INTERVENTION,
            "practitioners": ["practitioner@demo.example"],
            "opened_days_ago": 240,
            "children": [("K", 14)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "A",
                    "Spanish is the language of home; visits go best with the program's interpreter. Often "
                    "asks whether she is doing enough to help K walk.",
                ),
                (
                    Rel.GRANDPARENT,
                    "R",
                    "Cares for K three days a week, with firm and loving ideas about keeping babies close and carried.",
                ),
            ],
        },
        {
            "code": "RT-4",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner@demo.example"],
            "opened_days_ago": 420,
            "children": [("Baby T", 0), ("D", 50)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "R",
                    "Moved into transitional housing last year. Her church community brings meals; proud of "
                    "how D helps with the baby, and tired to the bone.",
                ),
                (Rel.KIN, "C", "R's younger sister; stays over most weekends and is D's favourite playmate."),
            ],
        },
        {
            "code": "SK-5",
            "context": Context.EARLY_INTERVENTION,
            "practitioners": ["practitioner3@demo.example", "practitioner@demo.example"],
            "opened_days_ago": 270,
            "children": [("S", 9)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "V",
                    "Vietnamese and English at home. S arrived early and spent weeks in the newborn unit; she "
                    "still keeps careful count of every feed.",
                ),
                (Rel.FATHER, "K", "Works two jobs and reads to S in Vietnamese at bedtime."),
            ],
        },
        {
            "code": "Oak 3",
            "context": Context.CHILD_PROTECTION,
            "practitioners": ["practitioner2@demo.example"],
            "opened_days_ago": 180,
            "children": [("A", 27)],
            "caregivers": [
                (
                    Rel.FOSTER_PARENT,
                    "L",
                    "Fostering for the first time. Keeps a careful diary of A's sleep and of how A settles "
                    "after family time.",
                ),
                (
                    Rel.MOTHER,
                    "S",
                    "Sees A twice a week at the family centre and is working steadily through her plan. Amharic "
                    "is her first language; she likes written notes she can read at home.",
                ),
            ],
        },
        {
            "code": "LN-1",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner2@demo.example"],
            "opened_days_ago": 150,
            "children": [("N", 4)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "L",
                    "Seventeen and finishing school online. Lives with her aunt; warm and playful with N, and "
                    "unsure whom to trust with her questions.",
                ),
                (
                    Rel.KIN,
                    "G",
                    "L's aunt. Generous with her home and her advice, sometimes more of the second than L would like.",
                ),
            ],
        },
        {
            "code": "Willow 1",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner2@demo.example"],
            "opened_days_ago": 480,
            "closed_days_ago": 90,
            "children": [("W", 24)],
            "caregivers": [
                (Rel.FATHER, "T", "Moved with W to be near his own family in another state; we said a proper goodbye."),
            ],
        },
        {
            "code": "Maple 2",
            "context": Context.CHILD_CARE,
            "practitioners": ["practitioner3@demo.example"],
            "opened_days_ago": 210,
            "children": [("Z", 20)],
            "caregivers": [
                (
                    Rel.FATHER,
                    "H",
                    "Raising Z on his own. Somali is the family's first language. Early shifts make drop-off "
                    "rushed, and he worries that Z cries only with him.",
                ),
            ],
        },
        {
            "code": "Green 4",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner4@demo.example"],
            "opened_days_ago": 300,
            "children": [("M", 11)],
            "caregivers": [
                (
                    Rel.GRANDPARENT,
                    "E",
                    "Caring for M full-time while M's mother is in a treatment program. Diné, and hopes M will "
                    "grow up hearing the language.",
                ),
                (Rel.MOTHER, "D", "Calls most evenings from the program and joins some visits by video."),
            ],
        },
        {
            "code": "PW-6",
            "context": Context.EARLY_INTERVENTION,
            "practitioners": ["practitioner4@demo.example"],
            "opened_days_ago": 600,
            "closed_days_ago": 21,
            "children": [("P", 37)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "N",
                    "Chose P's preschool classroom together with the team when P turned three. Worried that "
                    "new teachers will not understand P's words yet.",
                ),
                (Rel.FATHER, "B", "Came to every transition meeting, often straight from work."),
            ],
        },
    ],
    "Second Demo Agency": [
        {
            "code": "TC-3",
            "context": Context.HOME_VISITING,
            "practitioners": ["practitioner@second.example"],
            "opened_days_ago": 160,
            "children": [("Pip", 6)],
            "caregivers": [
                (
                    Rel.MOTHER,
                    "T",
                    "Works from home as a bookkeeper. Grew up in foster care herself and is determined to do "
                    "things differently.",
                ),
                (Rel.FATHER, "C", "Plays guitar for Pip every evening; finds the crying hard to be near."),
            ],
        },
        {
            "code": "River 2",
            "context": Context.CHILD_CARE,
            "practitioners": ["practitioner@second.example"],
            "opened_days_ago": 120,
            "children": [("O", 18), ("J", 44)],
            "caregivers": [
                (
                    Rel.KIN,
                    "B",
                    "The children's uncle, raising them after a family crisis. New to preschool routines and "
                    "learning as he goes.",
                ),
            ],
        },
        {
            "code": "Cedar 8",
            "context": Context.CHILD_PROTECTION,
            "practitioners": ["practitioner@second.example"],
            "opened_days_ago": 380,
            "closed_days_ago": 42,
            "children": [("R", 30)],
            "caregivers": [
                (Rel.MOTHER, "M", "Back home with R since the summer; the case closed with everyone's agreement."),
            ],
        },
    ],
}


def note(text, elements, follow_up=None, absent=None, agenda=(), replies=()) -> dict:
    """A signed session's notes. `agenda`: what was brought, (who, family code or None, words), who
    being "supervisee", "supervisor" or a group member's email; `replies`: the short thread under
    the notes, (who, words)."""
    return {
        "text": text,
        "elements": elements,
        "follow_up": follow_up,
        "absent": absent,
        "agenda": list(agenda),
        "replies": list(replies),
    }


def follow_up(text, kind=Kind.REFLECTIVE, owner="supervisee", due_days=14, done=False) -> dict:
    return {"text": text, "kind": kind, "owner": owner, "due_days": due_days, "done": done}


# Agreements and their fortnightly sessions. "past" and "future" pick sessions
# by position: 1 is the most recent past session (or the next upcoming one).
# Notes go to the signed sessions, newest first, and start over if they run out.
# Whom to call in an emergency, for each demo organization's agreements (fictional numbers).
EMERGENCY_CONTACTS = {
    "Demo Family Services": (
        "Agency on-call supervisor, 555-0100, day or night. If someone is in immediate danger, call 911 first."
    ),
    "Second Demo Agency": "Duty supervisor line, 555-0142 (weekdays 8 to 6); after hours, the agency on-call phone.",
    None: "Agency on-call supervisor, 555-0100.",
}
AGREEMENTS = {
    "Demo Family Services": [
        {
            "supervisor": "supervisor@demo.example",
            "supervisee": "practitioner@demo.example",
            "starts_days_ago": 300,
            "weekday": 1,
            "time": (10, 0),
            "modality": Modality.IN_PERSON,
            "location": "Reflection room, second floor",
            "past": {4: ("cancel", CRISIS_VISIT, "supervisee")},
            # Priya has not opened her newest signed notes yet: her home page points them out.
            "unseen_latest": True,
            "agenda": [
                [
                    ("JM-2", "Bean is due soon and J has stopped mentioning the birth. How do I bring it up gently?"),
                    (None, "Feeling stretched between visits and paperwork this month."),
                    # The supervisor adds to the agenda too.
                    ("supervisor@demo.example", None, "Looking back together at how the last months have felt."),
                ],
                [("Blue 7", "")],
            ],
            "notes": [
                note(
                    "RT-4: R is close to her due date. D, at four, is back in R's bed at night and asks to be fed "
                    "like a baby. We wondered how a move and a new sibling in one year look from D's height. Priya "
                    "named how tired R seemed and how much she wanted to take some of the load away.",
                    ["baby_in_mind", "family_story", "use_of_self"],
                    follow_up("Ask R what D says about the new baby when they are alone together."),
                    agenda=[
                        ("supervisee", "RT-4", "D is back in R's bed every night. Is this about the baby coming?"),
                        ("supervisor", None, "Ten minutes at the start on how the month has been for you."),
                    ],
                ),
                note(
                    "Mostly Blue 7. The interpreter was double-booked and the visit went ahead in halting "
                    "English; A grew quiet and K fussed through most of it. We wondered what gets lost when a "
                    "mother cannot talk with us in her own language, and what K takes from seeing her unsure. "
                    "This is for the office to solve, not for Priya to carry alone.",
                    ["family_story", "baby_in_mind"],
                    follow_up(
                        "Ask the program office to book the interpreter for the next three Blue 7 visits.",
                        kind=Kind.ADMINISTRATIVE,
                        due_days=5,
                    ),
                    agenda=[
                        ("supervisee", "Blue 7", "The visit without the interpreter, and how quiet A became."),
                        ("supervisor", None, "What the office can do, so this does not rest on you."),
                    ],
                    replies=[
                        (
                            "supervisee",
                            "The office booked the interpreter. Reading this back, I saw how much I wanted "
                            "to fix it all myself.",
                        ),
                        ("supervisor", "Noticing that is part of the work. I am glad the office took it on."),
                    ],
                ),
                note(
                    "JM-2. J spoke mostly about money and her lost shifts, and the visit stayed on forms. We "
                    "wondered what Bean might already be hearing and feeling in these months, and what J imagines "
                    "her baby will need from her. Priya noticed she had wanted to fix the budget rather than "
                    "stay with J's worry.",
                    ["baby_in_mind", "use_of_self"],
                    follow_up("Ask J what she imagines the first week at home with Bean will be like.", done=True),
                    agenda=[("supervisee", "JM-2", "J only wants to talk about money. Where is Bean in all this?")],
                    replies=[("supervisee", "J lit up when I asked about the first week. Thank you for the question.")],
                ),
                note(
                    "SK-5, shared with the early intervention visits. V still counts every feed and apologises "
                    "when S spits up. We wondered what the weeks in the newborn unit taught V about how fragile "
                    "S is, and what S, stronger now, may be asking for. Priya noticed she speaks more softly "
                    "with this family, and we stayed curious about why.",
                    ["family_story", "use_of_self", "baby_in_mind"],
                ),
                note(
                    "Priya said she sometimes saves the hardest story for the last ten minutes. We agreed to "
                    "check at the start what most needs our time, and wondered whether families do something "
                    "similar with her, their biggest worries arriving at the door as she leaves.",
                    ["reflective_alliance", "parallel_process"],
                ),
                note(
                    "RT-4. R talked about the baby coming and the move into transitional housing, then laughed "
                    "for the first time in weeks when D pressed an ear to her belly to listen. We slowed down to "
                    "notice what made that moment possible: a quieter room, nobody in a hurry. Priya wants to "
                    "name moments like that back to R.",
                    ["baby_in_mind", "parallel_process"],
                    follow_up("Notice and name one moment when R and D find each other.", done=True),
                ),
                note(
                    "Blue 7: K is starting to cruise along the sofa. A keeps asking whether K is behind. We "
                    "thought about how A and grandmother R hold different ideas about carrying K, and how K may "
                    "feel both as love. Priya felt caught in the middle, perhaps a little like A feels at home.",
                    ["family_story", "parallel_process"],
                ),
            ],
        },
        {
            "supervisor": "supervisor@demo.example",
            "supervisee": "practitioner2@demo.example",
            "starts_days_ago": 240,
            "weekday": 2,
            "time": (14, 0),
            "modality": Modality.VIDEO,
            "location": "Video call (the team’s usual video room)",
            "past": {6: ("cancel", SUPERVISOR_ILL, "supervisor")},
            "future": {2: ("cancel", "Supervisor at a state training day; we will find another time that week")},
            "agenda": [
                [("Oak 3", "The court date is close and L asked me what I think will happen.")],
                [(None, "Ending visits well when a family moves on.")],
            ],
            "notes": [
                note(
                    "LN-1. L mentioned that things get loud at night in the apartment when N cries. Jordan was "
                    "unsure whether this is a reporting question and felt torn between keeping L's trust and "
                    "keeping N safe. We went back over the limits of confidentiality together and agreed that "
                    "this belongs in the agency's process today, not in our next session.",
                    ["baby_in_mind", "use_of_self"],
                    follow_up(
                        "Consult the program manager about the reporting question today.",
                        kind=Kind.SAFETY,
                        due_days=0,
                        done=True,
                    ),
                    agenda=[
                        ("supervisee", "LN-1", "Something L said about the nights. I am not sure what to do with it."),
                        ("supervisor", None, "Going over the limits of confidentiality together."),
                    ],
                    replies=[
                        (
                            "supervisee",
                            "The program manager called back the same afternoon. I felt less alone with it.",
                        ),
                    ],
                ),
                note(
                    "Oak 3. A screamed at the end of family time and L, the foster parent, wondered whether the "
                    "visits are good for her. We tried to hold A's side: at two and a quarter, saying goodbye "
                    "to her mother twice a week, protest may show how much the relationship matters. Jordan "
                    "noticed how quickly she had agreed with L, whom she likes very much.",
                    ["baby_in_mind", "family_story", "use_of_self"],
                    agenda=[
                        ("supervisee", "Oak 3", "A's protest at the end of family time."),
                        ("supervisor", None, "How the visits might look from A's side."),
                    ],
                ),
                note(
                    "Jordan arrived rushed from a late visit and said this is the one hour of the week when "
                    "nobody needs anything from her. We talked about protecting the time and about what it "
                    "means that supervision is where she can breathe. We will keep the slot and begin with a "
                    "few quiet minutes.",
                    ["reflective_alliance", "use_of_self"],
                ),
                note(
                    "Looking back at Willow 1, which closed when the family moved away. Jordan felt the ending "
                    "came too fast to do properly. We thought about what W, at two, will carry from a year of "
                    "visits, and what a small photo book might offer. We made room for Jordan's sadness too; "
                    "endings are part of the work.",
                    ["use_of_self", "baby_in_mind"],
                ),
                note(
                    "LN-1. L and N play a copying game with faces, and N, a few months old, holds L's gaze for "
                    "long stretches. Jordan lit up telling it. We wondered how the aunt's advice lands for L, as "
                    "help and as a reminder that she is young, and how Jordan can be one adult who trusts what "
                    "L knows about her baby.",
                    ["baby_in_mind", "family_story", "parallel_process"],
                    follow_up("Ask L what she has learned about N that nobody else knows."),
                ),
                note(
                    "Oak 3, from S's side this time: what it might be like to love your child in a room where "
                    "others watch and write. Jordan remembered that S brings A's favourite snack to every "
                    "visit. We wondered how the team could tell S what they see her doing well.",
                    ["family_story", "parallel_process"],
                    follow_up("Share one specific strength with S at the next family time.", done=True),
                ),
                note(
                    "Oak 3: L has started writing a short note for S after each weekend, about A's sleep and "
                    "favourite songs. We wondered how this bridge between two homes might feel to A, and "
                    "whether Jordan's steady presence in both places made it easier to build.",
                    ["parallel_process", "baby_in_mind"],
                ),
            ],
        },
        {
            "supervisor": "supervisor2@demo.example",
            "supervisee": "practitioner3@demo.example",
            "starts_days_ago": 330,
            "weekday": 0,
            "time": (13, 0),
            "modality": Modality.IN_PERSON,
            "location": "Small meeting room",
            "past": {5: ("missed",)},
            "agenda": [
                [("Maple 2", "The goodbye routine: what changed, and what did not.")],
                [("SK-5", "")],
            ],
            "notes": [
                note(
                    "Maple 2. Z cries hard at drop-off and H leaves quickly so as not to make it worse. We "
                    "wondered what Z lives through in those minutes, and what leaving means for H, who has done "
                    "so much of this on his own. Maria had felt critical of the quick goodbye and was surprised "
                    "to feel that soften as we talked.",
                    ["baby_in_mind", "use_of_self", "family_story"],
                    follow_up("Talk with the classroom team about a goodbye routine H and Z can practise."),
                    agenda=[
                        ("supervisee", "Maple 2", "Drop-off: Z cries hard and H leaves fast."),
                        ("supervisor", None, "What a goodbye might be like for Z."),
                    ],
                    replies=[("supervisor", "I keep thinking about Z's side of the door. Let us come back to it.")],
                ),
                note(
                    "SK-5. S is working hard at rolling, and V watches every try as if it might go wrong. Maria "
                    "noticed she had started watching S the same way. We talked about how worry travels, from "
                    "the newborn unit to V to Maria, and what calm noticing could look like in the room.",
                    ["parallel_process", "baby_in_mind"],
                ),
                note(
                    "Maria spoke about feeling like an outsider in the classrooms she consults to: welcomed at "
                    "the door, then left to it. We linked it to what parents may feel at pick-up, and to how our "
                    "own meetings feel when plans change at short notice. We agreed to say so when it happens "
                    "here.",
                    ["reflective_alliance", "parallel_process", "use_of_self"],
                ),
                note(
                    "Maple 2: the teachers say Z cries only for Dad. We wondered whether that says something "
                    "about how safe Z feels with H, and how Somali at home and English at the centre shape what "
                    "Z can say and understand. Maria will ask H about the songs they sing at home.",
                    ["family_story", "baby_in_mind"],
                    follow_up("Ask H which songs Z knows from home, so the room can sing one too.", done=True),
                ),
                note(
                    "SK-5: S smiled at Maria for the first time, and V cried. We stayed with what it meant to V, "
                    "perhaps that S is going to be all right. Maria shared a memory of a premature niece, and we "
                    "thought about how that history brings her close to this family and can also crowd the "
                    "picture.",
                    ["use_of_self", "family_story"],
                ),
                note(
                    "A heavy week: two classrooms short of staff. We thought about the toddlers in those rooms "
                    "and what a tired adult's face tells them. Maria chose one small thing to try next week "
                    "instead of everything at once.",
                    ["baby_in_mind", "use_of_self"],
                ),
            ],
        },
        {
            # Ended: Chris moved to Sam's caseload of supervisees.
            "supervisor": "supervisor@demo.example",
            "supervisee": "practitioner4@demo.example",
            "starts_days_ago": 420,
            "ends_days_ago": 45,
            "weekday": 3,
            "time": (11, 0),
            "modality": Modality.IN_PERSON,
            "location": "Reflection room, second floor",
            "notes": [
                note(
                    "We talked about the coming change of supervisor. Chris said he was fine about it and then "
                    "went quiet. We made room for the ending between us and wondered how it echoes the endings "
                    "his families are living through.",
                    ["reflective_alliance", "parallel_process", "use_of_self"],
                ),
                note(
                    "PW-6 is getting ready for preschool at three. N worries P will not be understood by new "
                    "teachers. We thought about how the family might tell P's story to the classroom in their "
                    "own words. Chris offered to sit in on the first meeting.",
                    ["family_story", "baby_in_mind"],
                    follow_up("Offer N a planning visit to the new classroom before P starts.", done=True),
                ),
                note(
                    "Green 4. When M's mother calls from the program, M turns toward the phone at her voice. "
                    "We wondered what M, nearly a year old, makes of a mother who is a voice most days and a "
                    "face on some. Chris felt protective of E, who is tired and proud.",
                    ["baby_in_mind", "family_story"],
                ),
                note(
                    "Green 4: E prays with M in her language every night. Chris felt he had nothing to offer a "
                    "grandmother who knows so much. We wondered whether the offer is exactly that: to notice "
                    "and honour what she already gives M.",
                    ["family_story", "use_of_self"],
                ),
            ],
        },
        {
            # New. The limits of confidentiality changed a few days ago: Sam has acknowledged them
            # again, Chris not yet, so for now the agreement opens nothing to Sam.
            "supervisor": "supervisor2@demo.example",
            "supervisee": "practitioner4@demo.example",
            "starts_days_ago": 44,
            "terms_changed_days_ago": 4,
            "weekday": 3,
            "time": (9, 30),
            "modality": Modality.VIDEO,
            "location": "Video call (the team’s usual video room)",
            "agenda": [
                [("Green 4", "M's mother may be home soon. How do we prepare E and M for the change?")],
                [(None, "Getting used to a new supervisor.")],
            ],
            "notes": [
                note(
                    "Chris brought the close of PW-6 and found he missed the family more than he expected. We "
                    "talked about endings done well, and what P might carry into the new classroom.",
                    ["use_of_self", "baby_in_mind"],
                ),
                note(
                    "Green 4. M is pulling to stand and E is afraid of falls. We wondered how M experiences a "
                    "grandmother whose hands are always close by, and how E may be holding the whole family's "
                    "worry right now. Chris noticed he had slipped into giving safety tips.",
                    ["baby_in_mind", "use_of_self", "family_story"],
                ),
                note(
                    "A first meeting, mostly getting to know each other. Chris said what helped with his last "
                    "supervisor and what he found hard to bring. We read the agreement together; he took "
                    "a day with it before acknowledging it, which is fine.",
                    ["reflective_alliance"],
                ),
            ],
        },
        {
            # Dana receives reflective supervision too.
            "supervisor": "supervisor2@demo.example",
            "supervisee": "supervisor@demo.example",
            "starts_days_ago": 365,
            "weekday": 4,
            "time": (10, 0),
            "modality": Modality.IN_PERSON,
            "location": "Small meeting room",
            "agenda": [[(None, "Supporting a supervisee after a reporting question.")]],
            "notes": [
                note(
                    "A week with a reporting question from one of Dana's supervisees. Dana stayed steady and "
                    "was very tired afterwards. We thought about who holds the supervisor, and how the baby at "
                    "the centre of the question stayed in mind through all the adult worry.",
                    ["use_of_self", "baby_in_mind"],
                    agenda=[
                        ("supervisee", None, "After the reporting question: what I carried home."),
                        ("supervisor", None, "Who supports you when you support others?"),
                    ],
                    replies=[
                        ("supervisee", "I slept better after this one. Thank you for asking who holds me."),
                        ("supervisor", "Thank you for bringing it. It matters."),
                    ],
                ),
                note(
                    "Dana brought her supervision of a practitioner who saves the hardest story for the end of "
                    "the hour. We wondered what the practitioner might be protecting, and how Dana's wish to fix "
                    "the timing mirrors the practitioner's wish to fix things for families.",
                    ["parallel_process", "use_of_self"],
                ),
                note(
                    "Dana notices she is quickest to advise when she feels a practitioner's anxiety in her own "
                    "body. We wondered what waiting one breath longer might open up.",
                    ["use_of_self", "reflective_alliance"],
                    follow_up("Try one session of waiting before offering a suggestion, and notice what happens."),
                ),
                note(
                    "Dana spoke about the coming handover of a supervisee to Sam, and what it stirs: relief, and "
                    "a sense of letting someone down. We looked at our own relationship too, and how endings and "
                    "beginnings feel here.",
                    ["reflective_alliance", "use_of_self"],
                ),
                note(
                    "Dana still carries two families of her own. We thought about how being a practitioner and "
                    "a supervisor at once shapes the way she listens to both, and what she needs to keep both "
                    "going.",
                    ["use_of_self", "parallel_process"],
                ),
            ],
        },
    ],
    "Second Demo Agency": [
        {
            # The first year's agreement, since renewed.
            "supervisor": "supervisor@second.example",
            "supervisee": "practitioner@second.example",
            "starts_days_ago": 515,
            "ends_days_ago": 150,
        },
        {
            "supervisor": "supervisor@second.example",
            "supervisee": "practitioner@second.example",
            "starts_days_ago": 149,
            "weekday": 1,
            "time": (11, 0),
            "modality": Modality.VIDEO,
            "location": "Video call (the team’s usual video room)",
            "past": {3: ("cancel", SUPERVISOR_ILL, "supervisor"), 6: ("missed",)},
            "agenda": [
                [("TC-3", "The evening crying: what might help C stay in the room?"), ("River 2", "")],
                [(None, "Keeping my own evenings free of work.")],
            ],
            "notes": [
                note(
                    "Jamie spoke about the closing of Cedar 8 after R went home. Relief, pride, and an odd sense "
                    "of loss. We wondered how R, at two and a half, is settling back in, and what it means to "
                    "let a family go when things are going well.",
                    ["use_of_self", "baby_in_mind"],
                    agenda=[
                        ("supervisee", None, "Closing a family when things went well."),
                        ("supervisor", None, "What you will take from this family into the next."),
                    ],
                    replies=[
                        ("supervisee", "I wrote R a goodbye card after this. It felt like the right ending."),
                        ("supervisor", "What a good way to close. Thank you for telling me."),
                    ],
                ),
                note(
                    "TC-3: C stayed in the room through an evening cry for the first time, humming to Pip. "
                    "Jamie felt moved and also a little left out, and we wondered about that too.",
                    ["parallel_process", "baby_in_mind", "use_of_self"],
                    agenda=[("supervisee", "TC-3", "C stayed for the evening cry!")],
                ),
                note(
                    "River 2. J, the older one, has started refusing to go to preschool. We wondered about the "
                    "family's hard year from J's point of view, and whether staying home feels like keeping "
                    "watch over O. Jamie will ask B how J talks about the changes.",
                    ["baby_in_mind", "family_story"],
                    follow_up("Ask B how J describes the changes in the family."),
                ),
                note(
                    "TC-3. T asked Jamie straight out whether feeling angry at the crying makes her a bad mother. "
                    "We talked about answering honestly and kindly, and how Jamie can show what it looks like to "
                    "stay with a hard feeling without acting on it.",
                    ["parallel_process", "use_of_self"],
                    follow_up(
                        "Check with the office that the TC-3 referral to the parents' group went through.",
                        kind=Kind.ADMINISTRATIVE,
                        due_days=7,
                        done=True,
                    ),
                ),
                note(
                    "Our own rhythm: Jamie admitted she has been tempted to give up this hour in heavy weeks. We "
                    "talked about what it costs when the protected time slips, and agreed to hold it.",
                    ["reflective_alliance"],
                ),
                note(
                    "River 2. B says he has no idea what he is doing. We thought about what O and J see: an "
                    "uncle who shows up every single day. Jamie will look for moments B gets right and say them "
                    "out loud.",
                    ["family_story", "baby_in_mind"],
                    follow_up("Name one thing B does well at each visit this month.", done=True),
                ),
                note(
                    "TC-3. Pip has a long evening cry and C goes out to the porch when it starts. T feels alone "
                    "with it. We wondered what Pip, a few months old, might be telling them, and what the crying "
                    "stirs in each parent, given T's own childhood. Jamie noticed the urge to take T's side.",
                    ["baby_in_mind", "family_story", "use_of_self"],
                ),
            ],
        },
    ],
}

GROUPS = {
    "Demo Family Services": [
        {
            "name": "Monthly reflective circle",
            "facilitator": "supervisor2@demo.example",
            "members": ["practitioner@demo.example", "practitioner2@demo.example", "practitioner3@demo.example"],
            "starts_days_ago": WEEKS_BACK * 7 - 3,
            "time": (14, 0),
            "minutes": 120,
            "location": "Large meeting room",
            "agenda": [
                [
                    ("practitioner@demo.example", None, "Older siblings making room for a new baby."),
                    ("practitioner3@demo.example", None, "Staying curious when a classroom is short-staffed."),
                ],
            ],
            "notes": [
                note(
                    "A quieter circle; everyone tired from staffing gaps. We used the time to notice how the "
                    "group itself can be a place to rest, and how that mirrors what we hope families feel with us.",
                    ["reflective_alliance", "parallel_process"],
                    agenda=[
                        ("practitioner2@demo.example", None, "Staffing gaps, and how tired we all are."),
                        ("supervisor", None, "Starting with a few quiet minutes together."),
                    ],
                    replies=[("practitioner3@demo.example", "I needed that rest more than I knew. Thank you all.")],
                ),
                note(
                    "Working across languages. Members shared times an interpreter helped and times something "
                    "was lost. We thought about babies who hear one language at home and another at child care, "
                    "and about our own discomfort with not understanding.",
                    ["family_story", "use_of_self"],
                    absent="practitioner2@demo.example",
                ),
                note(
                    "Jordan brought a family-time visit, and the group spoke in turn for the child, the foster "
                    "parent and the birth mother. It was striking how hard it was to speak for the mother. We "
                    "closed with what each person will carry into next week.",
                    ["family_story", "baby_in_mind"],
                ),
                note(
                    "We began with one moment from a visit this month. Several were about siblings: a "
                    "four-year-old acting like a baby again, a toddler protesting at goodbyes. We wondered what "
                    "each child might be asking for, and noticed the group leaning in to help rather than judge.",
                    ["baby_in_mind", "parallel_process"],
                ),
            ],
        },
    ],
    "Second Demo Agency": [],
}


def reflection(
    author,
    family=None,
    *,
    days_ago=None,
    session=None,
    title="",
    checkin=None,
    edits=(),
    share=None,
    read=None,
    responses=(),
    seen=True,
    unshare=None,
    deleted=None,
    **sections,
) -> dict:
    """One practitioner's reflection and what happened to it, with times in days.

    ``days_ago`` is when it was first written; a reflection for a past session
    may leave it out and is then written two days before the session.
    ``session`` is (supervisor email or "group", position): 1 is the next
    upcoming session, -1 the most recent held one. ``edits`` are later sittings,
    (days after writing, changed sections). ``share`` is (supervisor email, days
    after writing); ``read``, ``unshare`` and each response's days count from
    the share. A response is ("supervisor" or "author", days, text). With
    ``seen`` False the author has not yet read the newest response.
    """
    unknown = set(sections) - set(SECTION_FIELDS)
    for _after, changes in edits:
        unknown |= set(changes) - set(SECTION_FIELDS)
    if unknown:
        raise ValueError(f"Not reflection sections: {sorted(unknown)}")
    return {
        "author": author,
        "family": family,
        "days_ago": days_ago,
        "session": session,
        "title": title,
        "checkin": checkin,
        "sections": sections,
        "edits": list(edits),
        "share": share,
        "read": read,
        "responses": list(responses),
        "seen": seen,
        "unshare": unshare,
        "deleted": deleted,
    }


PRIYA, JORDAN, MARIA, CHRIS = (f"practitioner{n}@demo.example" for n in ["", "2", "3", "4"])
DANA, SAM = "supervisor@demo.example", "supervisor2@demo.example"
JAMIE, TAYLOR = "practitioner@second.example", "supervisor@second.example"

# The practitioners' own reflections, in every state a reflection can be in. Priya, the demo
# practitioner, has the richest set: five months of writing in which the baby's perspective
# slowly takes more room and her check-ins dip and recover.
REFLECTIONS = {
    "Demo Family Services": [
        reflection(
            PRIYA,
            "Blue 7",
            days_ago=172,
            title="Blue 7: is she doing enough?",
            checkin=(3, "unsettled"),
            what_happened=(
                "Visit at home with Mom and Grandma, and the interpreter on speaker phone. K sat on Grandma's lap "
                "for most of the hour. Mom asked me twice whether K should be crawling by now, and I answered with "
                "the milestone sheet."
            ),
            caregiver_experience=(
                "Mom seemed to want a yes or a no from me. I think she hears a lot of advice at home and wanted "
                "someone outside the family to settle it. Grandma nodded along and kept K close the whole time."
            ),
            own_response=(
                "I felt the pull to reassure her quickly. Looking back, I went to the checklist because it was "
                "easier than sitting with how worried she is."
            ),
            share=(DANA, 0.2),
            read=1,
            responses=[
                (
                    "supervisor",
                    1.1,
                    "Thank you for writing this so honestly. I noticed K is on Grandma's lap the whole hour and then "
                    "slips out of the story. Could we start there next time: what might K have been doing while the "
                    "grown-ups talked about crawling?",
                ),
            ],
        ),
        reflection(
            PRIYA,
            "SK-5",
            days_ago=160,
            checkin=(3, "careful"),
            what_happened=(
                "Mom had the feeding log open on the table when I arrived: every feed since they came home from the "
                "newborn unit. She went through it with me line by line."
            ),
            caregiver_experience=(
                "The log seems to hold her together. Weeks of alarms and numbers in the hospital, and now she is the "
                "one who has to know if something is wrong."
            ),
            family_context=(
                "Dad reads to S in Vietnamese every night. I don't know yet what the grandparents expect of a first "
                "baby, or whom Mom can ask at home. Something to stay curious about rather than guess."
            ),
        ),
        reflection(
            PRIYA,
            "RT-4",
            days_ago=148,
            title="RT-4: the move",
            checkin=(2, "heavy"),
            what_happened=(
                "First visit in the transitional apartment. Boxes still packed, and the hallway outside was loud. "
                "Mom is six months along and sat on the only chair. D showed me where his bed will go, twice."
            ),
            caregiver_experience=(
                "Mom said she is grateful and tired to the bone in the same breath. Her church brought dinner on "
                "moving day. She said she has no room in her head for the baby yet, then looked embarrassed."
            ),
            family_context=(
                "Housing has been the whole conversation for months. Her sister stays most weekends and D lights up "
                "around her. I want to learn how this family talks about new babies, since this one is arriving in "
                "the middle of so much change."
            ),
            own_response=(
                "I came home heavy. I kept thinking about the packed boxes, and caught myself drafting a list of "
                "resources instead of letting myself feel how much she is carrying."
            ),
            share=(DANA, 0.1),
            read=0.8,
            responses=[
                (
                    "supervisor",
                    1,
                    "There is a lot here. I'm struck by Mom saying she has no room for the baby yet, and then feeling "
                    "embarrassed. It sounds as if she trusted you with something true. What was it like to hear it?",
                ),
                (
                    "author",
                    1.9,
                    "Honestly, a relief. I had worried I was the only one not thinking about the baby. It helps to "
                    "know she can say it to me.",
                ),
                (
                    "supervisor",
                    2.8,
                    "That seems worth protecting. Maybe the baby can come into the room slowly, through D and the bed "
                    "he keeps showing you. Let's pick it up when we meet.",
                ),
            ],
        ),
        reflection(
            PRIYA,
            "Blue 7",
            days_ago=137,
            checkin=(2, "caught in the middle"),
            what_happened=(
                "Grandma was carrying K when I arrived and kept her on her hip the whole visit. Mom asked for some "
                "floor time for the exercises, and Grandma said babies belong in arms."
            ),
            baby_experience=(
                "K reached for the toy on the rug and then settled back against Grandma. She didn't seem upset "
                "either way. I wonder if K feels both of them as love, just in different shapes."
            ),
            caregiver_experience=(
                "Mom looked at me as if I should take her side. Grandma has raised five children and knows what she "
                "knows."
            ),
            parallel_process=(
                "I felt caught in the middle, probably a little like Mom feels at home, between her own mother and "
                "the therapists."
            ),
        ),
        reflection(
            PRIYA,
            "RT-4",
            days_ago=126,
            checkin=(2, "tired"),
            what_happened=(
                "Short visit: Mom had a midwife appointment later and D had a cold. D climbed into Mom's lap and "
                "asked for a bottle, the way a baby would. Mom laughed, and then snapped at him to stop."
            ),
            own_response=(
                "I felt a flash of protectiveness for D, and then for Mom. I didn't say anything about it in the room."
            ),
            edits=[
                (
                    1.1,
                    {
                        "baby_experience": (
                            "D is four, and in a few weeks he won't be the baby any more. Asking for a bottle might "
                            "be his way of checking there is still room on Mom's lap. The new baby isn't here yet, "
                            "and is already changing things for him."
                        ),
                        "next_steps": "Notice out loud the moments when D and Mom find each other, even small ones.",
                    },
                ),
            ],
            share=(DANA, 1.2),
            read=1.8,
        ),
        reflection(
            PRIYA,
            "SK-5",
            days_ago=114,
            checkin=(3, "steadier"),
            what_happened=(
                "S worked hard at rolling today. Mom watched every try with her hands hovering, ready to catch."
            ),
            baby_experience=(
                "S kept looking back at Mom's face between tries. I wonder what she reads there: worry, or someone "
                "cheering her on?"
            ),
        ),
        reflection(
            PRIYA,
            days_ago=103,
            title="The pull to fix things",
            checkin=(2, "stretched thin"),
            own_response=(
                "Three visits this week where I left with a to-do list for myself: forms, referrals, a call about a "
                "housing waitlist. I'm good at that part. I'm less sure I'm listening while I'm busy being useful."
            ),
            parallel_process=(
                "Maybe families feel it too: so many people doing things for them, and not many sitting still with "
                "them. And I notice I bring my lists to supervision first and my feelings last."
            ),
            wondering="What would it look like to stay with a worry for a whole visit without solving it?",
            share=(DANA, 0.1),
            read=1.5,
            responses=[
                (
                    "supervisor",
                    2,
                    "I recognise this, in you and in me. Being useful is real care, and it can also be a place to hide "
                    "from feeling helpless. Shall we try starting our next hour with the feelings, and see what "
                    "happens to the list?",
                ),
                ("author", 2.4, "Yes, let's try. I might need a nudge."),
            ],
        ),
        reflection(
            PRIYA,
            "JM-2",
            days_ago=92,
            checkin=(3, "curious"),
            what_happened=(
                "First proper visit after intake. Mom showed me the baby clothes her mother sent from overseas, "
                "folded in a suitcase under the bed. Dad joined by phone from work for ten minutes."
            ),
            baby_experience=(
                "Bean is about halfway along. I wonder what Bean already hears: Tagalog and English, the phone "
                "calls, Dad's voice on the speaker."
            ),
            caregiver_experience=(
                "Mom talks about the baby mostly through her mother's plans. Dad asked whether he will know what to "
                "do, and laughed it off before I could answer."
            ),
            family_context=(
                "Grandma plans to come and stay for the first months. I don't know yet what that means to Mom: help, "
                "pressure, or both. Her shifts were cut this spring."
            ),
            own_response="I liked them straight away. I notice I want this one to go well, maybe too much.",
        ),
        reflection(
            PRIYA,
            "Blue 7",
            days_ago=80,
            title="Blue 7: the visit without an interpreter",
            checkin=(2, "frustrated"),
            what_happened=(
                "The interpreter was double-booked, so we went ahead in English. Mom answered in short phrases and "
                "let Grandma do most of the talking. K fussed through the hour and wouldn't settle for anyone."
            ),
            own_response=(
                "I felt useless, and a bit ashamed that I hadn't checked the booking. I talked too much to fill the "
                "silence."
            ),
            edits=[
                (
                    1,
                    {
                        "baby_experience": (
                            "K is about ten months. She heard her mother go quiet in her own home. I wonder if the "
                            "fussing was K's way of saying something was off, when the grown-ups couldn't find the "
                            "words either."
                        ),
                        "caregiver_experience": (
                            "Mom is usually full of questions. Without her own language she seemed to shrink. Grandma "
                            "stepped in, kindly, and I think that cost Mom something too."
                        ),
                    },
                ),
                (
                    3,
                    {
                        "family_context": (
                            "Spanish is the language of this home. When we visit without an interpreter, we ask the "
                            "family to come to us instead of going to them."
                        ),
                        "next_steps": (
                            "Ask the office to book the interpreter for the next three visits. Begin the next visit "
                            "by naming that the last one was hard."
                        ),
                    },
                ),
            ],
            share=(DANA, 3.1),
            read=3.9,
            responses=[
                (
                    "supervisor",
                    4,
                    "Thank you for staying with this instead of moving past it. You brought K in at the end, and I "
                    "think that is the heart of it. This belongs with the office too, not only with you.",
                ),
                (
                    "author",
                    4.6,
                    "I sent the request to the office this morning. Writing it down helped me see it wasn't all on me.",
                ),
            ],
        ),
        reflection(
            PRIYA,
            "RT-4",
            days_ago=68,
            title="RT-4: listening to the belly",
            checkin=(4, "moved"),
            what_happened=(
                "A quiet visit for once. D pressed his ear to Mom's belly to listen, and Mom laughed for the first "
                "time in weeks."
            ),
            baby_experience=(
                "D is making room for the baby in his own way, ear to the belly. The baby, close to arriving, is "
                "already someone he talks to."
            ),
            caregiver_experience=(
                "Mom softened when D was gentle. She told me the church ladies take D to the park on Saturdays so "
                "she can rest."
            ),
            own_response=(
                "I felt lighter leaving. I want to remember what made it possible: a calm room, nobody in a hurry, "
                "me included."
            ),
            next_steps="Name moments like this back to Mom when they happen.",
            share=(DANA, 0.3),
            read=1.2,
        ),
        reflection(
            PRIYA,
            "SK-5",
            days_ago=44,
            title="SK-5: the first smile",
            checkin=(4, "hopeful"),
            what_happened=(
                "S smiled at me for the first time, a whole-face smile. Mom started crying and said she had been "
                "waiting for someone else to see it."
            ),
            baby_experience=(
                "S is so much more here than in the spring. She watches faces closely, and the smile came after a "
                "long look at Mom."
            ),
            caregiver_experience=(
                "I think the smile told Mom something she hasn't let herself believe: that S is going to be all right."
            ),
            own_response=(
                "I cried a little in the car. I'm still working out how much of that was about this family and how "
                "much about my own memories. I'd rather bring this part in person."
            ),
            share=(DANA, 0.1),
            read=0.9,
            unshare=1.3,
        ),
        reflection(
            PRIYA,
            "JM-2",
            session=(DANA, -3),
            title="JM-2: money and forms",
            checkin=(3, "a bit flat"),
            what_happened=(
                "The whole visit went on forms: the benefits renewal, the letter about her hours. Mom knew exactly "
                "what she needed and I helped her fill them in."
            ),
            baby_experience=(
                "Bean was not mentioned once. I wonder what Bean takes in of these months: a mother anxious about "
                "money, a home kept quiet while Dad sleeps after nights."
            ),
            caregiver_experience=(
                "Losing shifts has shaken her. She said she doesn't want to start her baby's life owing anyone."
            ),
            own_response=(
                "I was relieved to have something concrete to do. The forms were easier than asking how she imagines "
                "the first weeks at home."
            ),
            wondering="How do I bring the baby into a visit about money, without brushing the money aside?",
            share=(DANA, 0.1),
            read=1.2,
            responses=[
                (
                    "supervisor",
                    1.3,
                    "A real question to bring. Money worries are part of Bean's world too, so perhaps it isn't "
                    "either-or. Let's think together about how the baby can be in the room alongside the forms.",
                ),
            ],
        ),
        reflection(
            PRIYA,
            "Blue 7",
            days_ago=33,
            title="Blue 7: K cruising",
            checkin=(4, "lighter"),
            what_happened=(
                "K pulled up on the sofa and cruised all the way to Grandma, then turned back toward Mom. Mom asked "
                "again whether K is behind."
            ),
            baby_experience=(
                "K looked so pleased with herself. At this age, having two people to cruise between may matter more "
                "than the exact month she walks."
            ),
            caregiver_experience=(
                "Mom still worries, but she clapped when K reached Grandma, and Grandma clapped back. A small moment "
                "of the two of them on the same side."
            ),
            family_context=(
                "Grandma carrying K close and Mom hoping for floor exercises come from the same love. I've been "
                "hearing them as opposites."
            ),
            parallel_process=(
                "I noticed I wanted Mom and Grandma to agree, the way I sometimes want supervision to hand me one "
                "right answer."
            ),
            next_steps="Bring Grandma into the exercises instead of working around her.",
            share=(DANA, 0.2),
            read=0.9,
            responses=[
                (
                    "supervisor",
                    1,
                    "What a moment to catch. I'm curious about the clapping: who started it? It sounds as if K "
                    "brought the two of them together for a second.",
                ),
                ("author", 1.4, "K did, really. She clapped first."),
            ],
        ),
        reflection(
            PRIYA,
            "JM-2",
            days_ago=20,
            what_happened="Notes from the car before I forget: Mom tired, Dad on nights, Bean kicking all visit.",
            deleted=0.2,
        ),
        reflection(
            PRIYA,
            "JM-2",
            days_ago=14,
            title="JM-2: getting ready for Bean",
            checkin=(4, "hopeful"),
            what_happened=(
                "Mom has made a corner of the bedroom for Bean: a basket, a blanket from her mother, a stack of tiny "
                "clothes. She showed me each thing and asked where I think the basket should go."
            ),
            baby_experience=(
                "Bean is busy: Mom says the kicks are strongest when Dad comes home in the morning. I wonder if Bean "
                "already knows that voice."
            ),
            caregiver_experience=(
                "Mom is starting to talk about the baby directly, not only through her mother's plans. Dad joined on "
                "the phone and asked about night feeds."
            ),
            own_response="I felt hopeful, and noticed how much I wanted to tell her everything will be fine.",
            edits=[
                (
                    1,
                    {
                        "wondering": (
                            "What does Mom imagine the first week at home will be like, with her own mother there and "
                            "Dad on nights?"
                        ),
                        "next_steps": "Ask about the first week, and whom she can call at three in the morning.",
                    },
                ),
            ],
            share=(DANA, 1.1),
            read=11.5,
            responses=[
                (
                    "supervisor",
                    12.2,
                    "I love the detail about Bean kicking when Dad comes home: Bean is already part of the family's "
                    "rhythm. When you ask about the first week, I wonder what Dad imagines too.",
                ),
            ],
            seen=False,
        ),
        reflection(
            PRIYA,
            "JM-2",
            days_ago=8,
            checkin=(3, "tired"),
            what_happened=(
                "Dad was home for this visit, awake after a night shift. He held the blanket Grandma sent and asked "
                "what babies can see when they are first born."
            ),
            own_response=(
                "I loved that he asked. I went on too long answering and watched him fade. Next time: shorter answers "
                "and more of his questions."
            ),
        ),
        reflection(
            PRIYA,
            "RT-4",
            days_ago=4,
            title="RT-4: first visit with the new baby",
            what_happened=(
                "First visit since the birth. Mom was on the sofa with the baby on her chest, her sister was "
                "cooking, and D was showing everyone the tiny socks."
            ),
            caregiver_experience=(
                "Mom looked exhausted and proud. She said D has been gentle, and then that he has wet the bed twice "
                "this week. Her sister is staying all week."
            ),
        ),
        reflection(
            PRIYA,
            "Blue 7",
            days_ago=2,
            session=(DANA, 1),
            title="Blue 7: first steps, and who got to see them",
            checkin=(4, "ready to talk"),
            what_happened=(
                "K took three steps between Mom and Grandma this week. Grandma saw them; Mom was at work and heard "
                "about it on the phone."
            ),
            baby_experience=(
                "K is very proud of herself. What she needs most right now may be two grown-ups who are delighted "
                "together, not one who saw and one who missed it."
            ),
            caregiver_experience=(
                "Mom said she was happy, and then went quiet. Missing the first steps seemed to land right on her "
                "worry about whether she is doing enough."
            ),
            own_response=(
                "I felt sad for her, and protective. I wanted to tell her it doesn't matter who sees it first."
            ),
            wondering="How can I help Mom hold on to what she gives K, even on the days she isn't there?",
            share=(DANA, 0.1),
        ),
        reflection(
            PRIYA,
            "RT-4",
            days_ago=1,
            session=("group", 1),
            title="For the circle: an older brother and a new baby",
            checkin=(3, "full week"),
            what_happened=(
                "Since the baby came home, D asks to be carried everywhere and wants a bottle at bedtime again."
            ),
            baby_experience=(
                "Two children to hold in mind. The newborn needs Mom's body close most of the day. D, at four, is "
                "watching where she goes."
            ),
            caregiver_experience=(
                "Mom feels pulled in two directions and guilty both ways. Her sister helps; D still wants Mom."
            ),
            wondering=(
                "I'd like to hear how others in the circle think about older siblings going back to baby ways after "
                "a birth, and what helps parents not take it as failure."
            ),
            share=(SAM, 0.1),
        ),
        reflection(
            JORDAN,
            "Willow 1",
            days_ago=130,
            title="Willow 1: saying goodbye",
            checkin=(3, "sad already"),
            what_happened=(
                "Dad told me they are moving in six weeks, to be near his family. W was building a tower and knocking "
                "it down while we talked."
            ),
            baby_experience=(
                "W is not yet two and has known me for most of his life. I wonder what he will understand of a "
                "goodbye, and what he will keep from this year of visits."
            ),
            caregiver_experience=(
                "Dad sounded sure and relieved; his family will help with W. He also apologised to me, as if he were "
                "letting me down."
            ),
            own_response=(
                "I felt the loss before he finished the sentence, and then felt silly for it. We have six weeks and I "
                "want to use them well."
            ),
            next_steps="Plan the last visits with Dad: maybe a small photo book for W of the places and people here.",
            share=(DANA, 0.2),
            read=1,
            responses=[
                (
                    "supervisor",
                    1.1,
                    "Six weeks is time to do this properly, and the photo book sounds like something W could hold on "
                    "to. Your sadness belongs here too; it says something about what this year meant.",
                ),
            ],
        ),
        reflection(
            JORDAN,
            "Willow 1",
            days_ago=86,
            checkin=(2, "sad"),
            what_happened="The last visit was this week. W gave me a drawing and Dad shook my hand for a long time.",
            own_response="My schedule is quieter now and I miss them. I keep thinking of things I would have said.",
        ),
        reflection(
            JORDAN,
            "Oak 3",
            days_ago=60,
            title="Oak 3: the end of family time",
            checkin=(2, "torn"),
            what_happened=(
                "At the end of family time A screamed and held on to her mother's coat. The foster mom carried her to "
                "the car. Her mom stayed in the room and cried."
            ),
            baby_experience=(
                "A is a little over two. Saying goodbye to her mom twice a week is hard work at that age. Maybe the "
                "protest shows how much this relationship matters to her."
            ),
            caregiver_experience=(
                "The foster mom asked me whether the visits are good for A; I think the evenings afterwards wear her "
                "out. The birth mom asked the worker whether she had done something wrong."
            ),
            own_response="I agreed with the foster mom far too quickly. I like her very much and want her to be right.",
            parallel_process=(
                "The whole team gets pulled toward one side of this child's life or the other. I noticed I did it too."
            ),
            share=(DANA, 0.1),
            read=0.7,
            responses=[
                (
                    "supervisor",
                    0.8,
                    "Thank you for catching yourself. I'd like to hear more about the birth mom's question, whether "
                    "she had done something wrong. What might A have been feeling in that room?",
                ),
                (
                    "author",
                    1.6,
                    "I keep thinking about it. Maybe A was the only one allowed to show how sad the goodbye was.",
                ),
            ],
        ),
        reflection(
            JORDAN,
            "LN-1",
            days_ago=40,
            checkin=(4, "lit up"),
            what_happened=(
                "Mom and N played a copying game with faces for almost ten minutes. Her aunt came in with advice about "
                "sleep, and Mom's face closed."
            ),
            baby_experience=(
                "N held Mom's gaze for long stretches and copied her open mouth. He seemed to love being at the centre "
                "of her attention."
            ),
            caregiver_experience=(
                "Mom is seventeen and finishing school online. She is playful and sure of herself with N until another "
                "adult walks in."
            ),
        ),
        reflection(
            JORDAN,
            "Oak 3",
            days_ago=9,
            title="Oak 3: from the birth mom's side",
            checkin=(3, "thoughtful"),
            what_happened=(
                "At family time the birth mom brought A's favourite snack again and sat on the floor so they could eat "
                "together."
            ),
            caregiver_experience=(
                "She is steady and careful in those visits. I wonder how tiring it is to be watched while you parent."
            ),
            family_context=(
                "I tried to picture this from her side: loving your child in a room where others watch and take "
                "notes. Amharic is her first language, and she likes written notes she can read at home."
            ),
            wondering="How could the team tell her what they see her doing well, in a way she can take home?",
            share=(DANA, 3),
        ),
        reflection(
            JORDAN,
            "Oak 3",
            days_ago=3,
            what_happened=(
                "The foster mom has started writing a short note for A's mom after each weekend, about sleep and "
                "favourite songs."
            ),
        ),
        reflection(
            JORDAN,
            "LN-1",
            days_ago=2,
            title="LN-1: her own questions",
            what_happened="Mom waited until her aunt went out, then asked me three questions in a row about N's sleep.",
            baby_experience="N sleeps best on Mom's chest. He startles when the apartment gets loud.",
            caregiver_experience=(
                "She has questions, and isn't sure whom she can trust with them. I was glad she asked me."
            ),
            parallel_process="I noticed I was careful not to sound like one more adult with advice.",
            share=(DANA, 0.2),
        ),
        reflection(
            MARIA,
            "Maple 2",
            days_ago=110,
            title="Maple 2: drop-off",
            checkin=(3, "critical, then softer"),
            what_happened=(
                "At drop-off Z cried hard and reached for Dad. Dad kissed him, said bye quickly, and was out of the "
                "door in under a minute."
            ),
            baby_experience=(
                "Z cried at the window for a while, then let a teacher pick him up. I wonder what he learns about "
                "goodbyes when they happen so fast."
            ),
            caregiver_experience=(
                "Dad is raising Z on his own and starts work early. He told me leaving fast is kinder; a long goodbye "
                "makes it worse for both of them."
            ),
            own_response=(
                "I felt critical of the quick goodbye, and then remembered how many mornings he does this alone."
            ),
            share=(SAM, 0.3),
            read=1.1,
            responses=[
                (
                    "supervisor",
                    1.2,
                    "I'm glad you noticed the critical feeling and didn't act on it. I wonder what Dad knows about Z "
                    "that we don't. Could you ask him what mornings are like at home before they leave?",
                ),
            ],
        ),
        reflection(
            MARIA,
            "SK-5",
            days_ago=70,
            checkin=(3, "watchful"),
            baby_experience="S is working on sitting now. She is much sturdier than any of us treat her.",
            parallel_process=(
                "I caught myself watching S the way Mom does, holding my breath every time she tries something new. "
                "Worry seems to travel from the hospital to Mom to me."
            ),
        ),
        reflection(
            MARIA,
            "Maple 2",
            days_ago=30,
            what_happened=(
                "The classroom sang a song Dad taught them from home, in Somali. Z stopped crying halfway through and "
                "looked at the teacher."
            ),
            baby_experience=(
                "Hearing home in the classroom seemed to reach Z. Maybe it told him these two places are connected."
            ),
            next_steps="Ask Dad for one more song, and whether he would record it for the room.",
            share=(SAM, 0.2),
            read=2,
        ),
        reflection(
            MARIA,
            "SK-5",
            days_ago=3,
            session=(SAM, 1),
            title="SK-5: sitting up",
            checkin=(4, "encouraged"),
            what_happened=(
                "S sat on her own for a whole minute and Mom didn't reach for her once. S looked at me and laughed."
            ),
            baby_experience="S seems to know she is doing something new. She looked at Mom first, then at me.",
            caregiver_experience=(
                "Mom has stopped bringing the feeding log to every visit. She said she is trying to trust S more."
            ),
            wondering=(
                "How do we keep supporting Mom's trust without rushing her past the fear she earned in the newborn "
                "unit?"
            ),
            share=(SAM, 0.1),
        ),
        reflection(
            CHRIS,
            "PW-6",
            days_ago=100,
            checkin=(3, "busy"),
            what_happened=(
                "Transition meeting at the preschool. Mom brought a list of P's words and what each one means. Dad "
                "came straight from work."
            ),
            caregiver_experience=(
                "Mom worries the new teachers won't understand P. The list is her way of going with him."
            ),
            family_context="They chose this classroom together with the team. Both seemed proud and nervous at once.",
        ),
        reflection(
            CHRIS,
            "Green 4",
            days_ago=35,
            checkin=(3, "protective"),
            what_happened=(
                "M is pulling to stand on everything. Grandma follows her around the room with her hands out."
            ),
            baby_experience=(
                "M wants to be up and moving. She looks back at Grandma each time she lets go, as if checking Grandma "
                "is still there."
            ),
            caregiver_experience=(
                "Grandma is tired and proud, and very afraid of falls. She is holding a lot for the whole family while "
                "M's mom is in treatment."
            ),
            own_response="I slipped into giving safety tips. I think her worry made me anxious too.",
            share=(SAM, 0.2),
            read=1,
            responses=[
                (
                    "supervisor",
                    1.1,
                    "It makes sense that her worry became yours. I'm curious about M looking back: what does she find "
                    "when she checks?",
                ),
            ],
        ),
        reflection(
            CHRIS,
            "PW-6",
            days_ago=20,
            checkin=(2, "missing them"),
            own_response=(
                "PW-6 has closed. I miss the family more than I expected. P waved from the classroom door on my last "
                "visit and then turned back to his new friends, which is exactly right."
            ),
        ),
        reflection(
            CHRIS,
            "Green 4",
            days_ago=6,
            wondering=(
                "M's mom may be home soon. How do we help Grandma and M get ready for that change, and make room for "
                "Mom?"
            ),
        ),
        reflection(
            DANA,
            days_ago=50,
            title="Holding the holder",
            checkin=(2, "depleted"),
            own_response=(
                "After a reporting question in one of my supervisions this week, I stayed calm in the room and went "
                "home exhausted. I notice I don't bring my own tiredness anywhere."
            ),
            parallel_process="I ask my supervisees to bring their feelings first. I still bring my lists.",
            wondering="Who holds the supervisor? What would it look like to use our hour for that?",
            share=(SAM, 0.2),
            read=1.8,
            responses=[
                (
                    "supervisor",
                    2,
                    "This is exactly what our hour is for. Let's start there next time, before any list.",
                ),
            ],
        ),
        reflection(
            DANA,
            days_ago=12,
            checkin=(3, "full"),
            own_response="Two handovers this month. Relief, and a sense of letting someone down, both at once.",
        ),
    ],
    "Second Demo Agency": [
        reflection(
            JAMIE,
            "Cedar 8",
            days_ago=140,
            title="Cedar 8: R is home",
            checkin=(4, "proud"),
            what_happened=(
                "First visit since R went home to Mom. R showed me her bed and her shoes, and climbed in and out of "
                "Mom's lap the whole time."
            ),
            baby_experience=(
                "All that climbing in and out looked like checking: is Mom still here, is this still home?"
            ),
            caregiver_experience=(
                "Mom was nervous with me there at first, then relaxed. She said she doesn't want anyone watching her "
                "forever."
            ),
            own_response="I felt proud of her and a bit unneeded, which is a good sign.",
            share=(TAYLOR, 0.1),
            read=1,
            responses=[
                (
                    "supervisor",
                    1.2,
                    "What a visit. R climbing in and out sounds like testing something and finding it holds. Your "
                    "'a bit unneeded' is worth talking about too.",
                ),
            ],
        ),
        reflection(
            JAMIE,
            "TC-3",
            days_ago=100,
            checkin=(2, "worn"),
            what_happened=(
                "Evening visit to see the crying for myself. Pip cried for nearly an hour. Dad went out to the porch "
                "with his guitar; Mom walked the hall with Pip."
            ),
            caregiver_experience=(
                "Mom said she feels alone with it every night. Dad said he doesn't know what to do with the sound."
            ),
            edits=[
                (
                    2,
                    {
                        "baby_experience": (
                            "I wonder what the evenings are like from inside Pip: tired, overstimulated, held by "
                            "someone who is tense."
                        ),
                        "family_context": (
                            "Mom grew up in foster care and wants things to be different for Pip. The crying may "
                            "touch old places for her."
                        ),
                    },
                ),
            ],
        ),
        reflection(
            JAMIE,
            "River 2",
            days_ago=60,
            checkin=(3, "puzzled"),
            what_happened=(
                "J has refused to go to preschool three mornings running. He hid under the table when his uncle "
                "picked up the backpack."
            ),
            baby_experience=(
                "Two children to think about. O followed J under the table. J is three and a half; after the year they "
                "have had, staying home might feel like keeping watch."
            ),
            caregiver_experience="Their uncle says he has no idea what he's doing. He also shows up every single day.",
            wondering="What does J think happens at home while he's away?",
            share=(TAYLOR, 0.2),
            read=0.9,
            responses=[
                (
                    "supervisor",
                    1,
                    "I keep seeing J under the table with O following him. What might J be protecting? Could you ask "
                    "the uncle how J talks about the changes?",
                ),
                (
                    "author",
                    6,
                    "I asked. J told him someone has to stay with O. That stopped me in my tracks.",
                ),
            ],
        ),
        reflection(
            JAMIE,
            "Cedar 8",
            days_ago=45,
            checkin=(4, "a good ending"),
            own_response=(
                "Last visit with Cedar 8 this week. Everyone agrees it's time. I was surprised how much I wanted one "
                "more visit, just to be sure."
            ),
            next_steps="Send the closing summary, and leave Mom the details of the parents' group.",
        ),
        reflection(
            JAMIE,
            "River 2",
            days_ago=30,
            what_happened="Started this on my phone; will finish at the desk.",
            deleted=0.3,
        ),
        reflection(
            JAMIE,
            "TC-3",
            days_ago=20,
            title="TC-3: Dad stayed",
            checkin=(4, "moved"),
            what_happened=(
                "Dad stayed in the room through the evening cry for the first time, humming to Pip. Mom sat next to "
                "him."
            ),
            baby_experience="Pip quieted against Dad's chest while he hummed. She was listening.",
            caregiver_experience=(
                "Mom watched them with a face I hadn't seen before. Dad said the humming helps him as much as Pip."
            ),
            own_response="I felt moved, and a little left out, which I want to think about.",
            share=(TAYLOR, 0.3),
            read=1.5,
            responses=[
                (
                    "supervisor",
                    17.5,
                    "I'm glad you wrote down the 'left out' feeling. When a family finds its own way, we can end up "
                    "on the outside of it, and that can be a good sign. Let's talk about it.",
                ),
            ],
            seen=False,
        ),
        reflection(
            JAMIE,
            "River 2",
            days_ago=5,
            session=(TAYLOR, 1),
            title="River 2: before our session",
            checkin=(3, "unsure"),
            what_happened=(
                "J went to preschool every day this week. His uncle walked him in and stayed for the first song."
            ),
            baby_experience="O has started waving bye-bye at the door, and J waves back from the classroom.",
            wondering="What changed? I'd like to think it through together before the next visit.",
            share=(TAYLOR, 0.2),
        ),
        reflection(
            JAMIE,
            "TC-3",
            days_ago=2,
            what_happened="Short visit. Mom and Dad both tired after a bad night; they are taking turns now.",
            caregiver_experience="They seemed more like a team than a month ago, even exhausted.",
        ),
    ],
}


# ---------------------------------------------------------------------------
# Deleting an organization's records
# ---------------------------------------------------------------------------


def _record_querysets(organization: Organization) -> list[models.QuerySet]:
    """Everything the demo builds, in an order that never trips over a protected link."""
    return [
        Reflection.objects.filter(organization=organization),
        SupervisionSession.objects.filter(organization=organization),
        SessionSeries.objects.filter(organization=organization),
        SupervisionAgreement.objects.filter(organization=organization),
        RSCGroup.objects.filter(organization=organization),
        Family.objects.filter(organization=organization),
    ]


def purge_records(organization: Organization, *, fast: bool = False) -> None:
    """Delete an organization's families, agreements, groups and sessions; keep the organization and people.

    The ordinary path goes through Django's deletion, which honours every
    cascade and signal. The fast path (for the volume organization) deletes
    with a few set-based statements instead of loading each row.
    """
    for queryset in _record_querysets(organization):
        try:
            if fast:
                _fast_delete(queryset)
            else:
                queryset.delete()
        except (ProtectedError, RestrictedError) as error:
            raise DemoError(
                f"Cannot rebuild {organization}: some {queryset.model._meta.verbose_name_plural} are still "
                f"referred to by other records ({error.args[0]})"
            ) from error


def _fast_delete(queryset: models.QuerySet) -> None:
    """Delete the rows of a queryset and, first, whatever cascades from them, one statement per table."""
    model = queryset.model
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": queryset.values("pk")})
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            _fast_delete(related)
        elif on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        elif on_delete is not models.DO_NOTHING and related.exists():
            raise DemoError(
                f"Cannot delete {model._meta.verbose_name_plural}: "
                f"{relation.related_model._meta.verbose_name_plural} still refer to them."
            )
    # Everything pointing here is gone, so a plain DELETE is safe.
    queryset._raw_delete(queryset.db)


# ---------------------------------------------------------------------------
# Building the hand-written demo
# ---------------------------------------------------------------------------


def first_of_month(day: datetime.date, months: int = 0) -> datetime.date:
    return session_services.add_months(day.replace(day=1), months)


def _at(day: datetime.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _set_emergency_contact(organization: Organization) -> None:
    """A fictional agency line (555-01xx numbers are reserved for fiction), stored as is: the gentle
    identifying-text check is for what people type."""
    organization.emergency_contact = EMERGENCY_CONTACTS.get(organization.name, EMERGENCY_CONTACTS[None])
    organization.save(update_fields=["emergency_contact"])


def build_demo(organization: Organization, people: dict[str, User]) -> None:
    """Rebuild the demo records of one demo organization from scratch."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    today = timezone.localdate(timezone=tz)
    purge_records(organization)
    _set_emergency_contact(organization)
    admin = next(person for person in people.values() if person.is_account_admin)
    families = _build_families(organization, people, today, tz)
    runs = []
    for spec in AGREEMENTS.get(organization.name, []):
        agreement = _build_agreement(organization, spec, people, admin, today, tz)
        if "weekday" in spec:
            runs.append((spec, _schedule_pair(agreement, spec, today, tz)))
        _change_terms(agreement, spec, today, tz)
    for spec in GROUPS.get(organization.name, []):
        group = RSCGroup.objects.create(
            organization=organization, name=spec["name"], facilitator=people[spec["facilitator"]]
        )
        group.members.set([people[email] for email in spec["members"]])
        runs.append((spec, _schedule_group(group, spec, today, tz)))
    now = timezone.now()
    _play_out(runs, people, families, now=now)
    _build_reflections(organization, people, families, now=now, tz=tz)


def _build_families(organization, people, today, tz) -> dict[str, Family]:
    families = {}
    for spec in FAMILIES.get(organization.name, []):
        practitioners = [people[email] for email in spec["practitioners"]]
        opened_on = today - datetime.timedelta(days=spec["opened_days_ago"])
        closed = spec.get("closed_days_ago")
        closed_on = today - datetime.timedelta(days=closed) if closed is not None else None
        family = Family.objects.create(
            organization=organization,
            code=spec["code"],
            context=spec["context"],
            opened_on=opened_on,
            closed_on=closed_on,
            # Closed in the app at the end of that day's work, as retention expects.
            closed_at=_at(closed_on, 17, 0, tz) if closed_on else None,
            closed_by=practitioners[0] if closed_on else None,
            created_by=practitioners[0],
        )
        family.practitioners.set(practitioners)
        Child.objects.bulk_create(
            Child(family=family, label=label, birth_month=first_of_month(today, -age), expected=age < 0)
            for label, age in spec["children"]
        )
        Caregiver.objects.bulk_create(
            Caregiver(family=family, relationship=relationship, label=label, notes=notes)
            for relationship, label, notes in spec["caregivers"]
        )
        families[family.code] = family
    return families


def _build_agreement(organization, spec, people, admin, today, tz) -> SupervisionAgreement:
    starts_on = today - datetime.timedelta(days=spec["starts_days_ago"])
    ends_days_ago = spec.get("ends_days_ago")
    acknowledged = _at(starts_on, 9, 0, tz) - datetime.timedelta(days=3)
    supervisor_acknowledged, supervisee_acknowledged = acknowledged, acknowledged + datetime.timedelta(days=1)
    agreement = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=people[spec["supervisor"]],
        supervisee=people[spec["supervisee"]],
        starts_on=starts_on,
        ends_on=today - datetime.timedelta(days=ends_days_ago) if ends_days_ago is not None else None,
        format=Format.INDIVIDUAL,
        cadence=Cadence.FORTNIGHTLY,
        usual_minutes=60,
        confidentiality_limits=organization.confidentiality_limits,
        emergency_contact=organization.emergency_contact,
        supervisor_acknowledged_at=supervisor_acknowledged,
        supervisee_acknowledged_at=supervisee_acknowledged,
        created_by=admin,
    )
    # Set up by the administrator a few days before both acknowledged it (created_at is filled in
    # with the time of saving, so it is moved back afterwards).
    agreement.created_at = _at(starts_on, 14, 30, tz) - datetime.timedelta(days=7)
    SupervisionAgreement.objects.filter(pk=agreement.pk).update(created_at=agreement.created_at)
    return agreement


def _change_terms(agreement, spec, today, tz) -> None:
    """Changed terms clear both acknowledgements (after the sessions were scheduled under the
    agreement in force); only the supervisor has acknowledged again."""
    if "terms_changed_days_ago" not in spec:
        return
    changed = _at(today - datetime.timedelta(days=spec["terms_changed_days_ago"]), 10, 0, tz)
    agreement.supervisor_acknowledged_at = changed + datetime.timedelta(hours=3)
    agreement.supervisee_acknowledged_at = None
    agreement.save(update_fields=["supervisor_acknowledged_at", "supervisee_acknowledged_at"])


def _fortnightly_from(earliest: datetime.date, today: datetime.date, weekday: int) -> datetime.date:
    """The first day on or after `earliest`, on `weekday`, of a fortnightly rhythm that meets in
    the current week: everyone's week view has sessions in it, whatever day the demo is built."""
    this_week = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=weekday)
    fortnights = (this_week - earliest).days // 14
    return this_week - datetime.timedelta(weeks=2 * fortnights)


def _schedule_pair(agreement, spec, today, tz) -> list[SupervisionSession]:
    first_day = max(agreement.starts_on, today - datetime.timedelta(weeks=WEEKS_BACK))
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    if agreement.ends_on is not None:
        last_day = min(last_day, agreement.ends_on)
    first_day = _fortnightly_from(first_day, today, spec["weekday"])
    if first_day > last_day:
        return []
    return session_services.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=_at(first_day, *spec["time"], tz),
        duration_minutes=agreement.usual_minutes,
        modality=spec["modality"],
        location=spec["location"],
        frequency=SessionSeries.Frequency.FORTNIGHTLY,
        until=last_day,
    )


def _schedule_group(group, spec, today, tz) -> list[SupervisionSession]:
    """A monthly series; any occurrence that lands on a weekend is moved, as a facilitator would."""
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    earliest = today - datetime.timedelta(days=spec["starts_days_ago"])

    def weekend_count(first: datetime.date) -> int:
        days = (session_services.add_months(first, months) for months in range(12))
        return sum(day.weekday() >= 5 for day in days if day <= last_day)

    first_day = min((earliest + datetime.timedelta(days=offset) for offset in range(28)), key=weekend_count)
    sessions = session_services.sessions_schedule(
        supervisor=group.facilitator,
        group=group,
        starts_at=_at(first_day, *spec["time"], tz),
        duration_minutes=spec["minutes"],
        modality=Modality.IN_PERSON,
        location=spec["location"],
        frequency=SessionSeries.Frequency.MONTHLY,
        until=last_day,
    )
    for session in sessions:
        weekday = timezone.localtime(session.starts_at, tz).weekday()
        if weekday >= 5:  # Saturday moves back to Friday, Sunday forward to Monday
            shift = datetime.timedelta(days=-1 if weekday == 5 else 1)
            session_services.session_update(
                session=session,
                actor=group.facilitator,
                starts_at=session.starts_at + shift,
                duration_minutes=session.duration_minutes,
                modality=session.modality,
                location=session.location,
            )
    return list(SupervisionSession.objects.filter(pk__in=[session.pk for session in sessions]).order_by("starts_at"))


class _Timeline:
    """When things happened. The services stamp everything "now"; the demo's history is spread over months.

    Times are collected while the services run and written at the end in a
    few bulk updates.
    """

    def __init__(self) -> None:
        self.events: dict[tuple[int, str], datetime.datetime] = {}
        self.session_fields: dict[str, list[SupervisionSession]] = defaultdict(list)
        self.versions: dict[int, datetime.datetime] = {}
        self.follow_ups: list[FollowUp] = []
        self.agenda_items: list[AgendaItem] = []
        self.replies: list[SessionReply] = []
        self.seen: list[SessionParticipant] = []

    def session(self, pk: int, field: str, value: datetime.datetime) -> None:
        self.session_fields[field].append(SupervisionSession(pk=pk, **{field: value}))

    def write(self) -> None:
        for field, sessions in self.session_fields.items():
            SupervisionSession.objects.bulk_update(sessions, [field])
        session_ids = {session_id for session_id, _kind in self.events}
        events = []
        for pk, session_id, kind in SessionEvent.objects.filter(session_id__in=session_ids).values_list(
            "pk", "session_id", "kind"
        ):
            if (session_id, kind) in self.events:
                events.append(SessionEvent(pk=pk, at=self.events[session_id, kind]))
        SessionEvent.objects.bulk_update(events, ["at"])
        versions = [
            SessionNoteVersion(pk=pk, saved_at=self.versions[session_id])
            for pk, session_id in SessionNoteVersion.objects.filter(session_id__in=self.versions).values_list(
                "pk", "session_id"
            )
        ]
        SessionNoteVersion.objects.bulk_update(versions, ["saved_at"])
        FollowUp.objects.bulk_update(self.follow_ups, ["created_at", "done_at"])
        AgendaItem.objects.bulk_update(self.agenda_items, ["created_at"])
        SessionReply.objects.bulk_update(self.replies, ["created_at"])
        SessionParticipant.objects.bulk_update(self.seen, ["notes_seen_at"])


def _play_out(runs, people, families, *, now) -> None:
    """Turn freshly scheduled series into a believable history.

    Past sessions are held and signed with notes, except for the chosen
    cancellations and misses and, for each supervisor, the two most recent
    ones, which are held but still waiting for notes. Upcoming sessions get
    the practitioners' agenda items; signed ones the agenda both people set
    and, for some, a short thread of replies under the notes. The people in
    a session read its signed notes a day later, except the newest signed
    notes of a pair marked "unseen", which wait on the practitioner's home page.
    """
    all_ids = [session.pk for _spec, sessions in runs for session in sessions]
    fetched = SupervisionSession.objects.select_related("supervisor").prefetch_related("participants__user")
    fetched = fetched.in_bulk(all_ids)
    runs = [(spec, [fetched[session.pk] for session in sessions]) for spec, sessions in runs]

    special: dict[int, tuple] = {}
    for spec, sessions in runs:
        past = [session for session in sessions if session.starts_at < now]
        upcoming = [session for session in sessions if session.starts_at >= now]
        for position, action in spec.get("past", {}).items():
            if position <= len(past):
                special[past[-position].pk] = action
        for position, action in spec.get("future", {}).items():
            if position <= len(upcoming):
                special[upcoming[position - 1].pk] = action

    past_by_supervisor = defaultdict(list)
    for _spec, sessions in runs:
        for session in sessions:
            if session.starts_at < now and session.pk not in special:
                past_by_supervisor[session.supervisor_id].append(session)
    waiting = {
        session.pk
        for sessions in past_by_supervisor.values()
        for session in sorted(sessions, key=lambda s: s.starts_at)[-2:]
    }

    timeline = _Timeline()
    for spec, sessions in runs:
        series_start = sessions[0].starts_at - datetime.timedelta(days=10) if sessions else None
        for session in sessions:
            timeline.session(session.pk, "created_at", series_start)
            timeline.events[session.pk, SessionEvent.Kind.SCHEDULED] = series_start
            timeline.events[session.pk, SessionEvent.Kind.RESCHEDULED] = series_start
        signed = [
            session
            for session in sessions
            if session.starts_at < now and session.pk not in special and session.pk not in waiting
        ]
        notes_for = {}
        bank = spec.get("notes") or []
        for index, session in enumerate(reversed(signed)):
            if bank:
                # Older sessions reuse the notes, but never repeat a follow-up, an agenda or replies.
                entry = bank[index % len(bank)]
                notes_for[session.pk] = (
                    entry if index < len(bank) else {**entry, "follow_up": None, "agenda": [], "replies": []}
                )
        upcoming = [session for session in sessions if session.starts_at >= now and session.pk not in special]
        unseen = signed[-1].pk if spec.get("unseen_latest") and signed else None
        for session in sessions:
            action = special.get(session.pk)
            if action and action[0] == "cancel":
                _cancel(session, action, timeline, now=now)
            elif action and action[0] == "missed":
                _mark(session, Status.MISSED, people, None, timeline)
            elif session.starts_at < now:
                notes = notes_for.get(session.pk)
                if notes:
                    _set_agenda(session, notes["agenda"], people, families, timeline)
                _mark(session, Status.HELD, people, notes, timeline)
                if session.pk not in waiting:
                    _document(session, notes, timeline, now=now)
                    if notes:
                        _reply(session, notes["replies"], people, timeline, now=now)
                    _seen(session, timeline, now=now, unseen=session.pk == unseen)
        for items, session in zip(spec.get("agenda", []), upcoming, strict=False):
            for item in items:
                if len(item) == 3:  # someone other than the supervisee: a group member, or the supervisor
                    author_email, code, text = item
                else:
                    code, text = item
                    author_email = spec["supervisee"]
                session_services.agenda_add(
                    session=session, author=people[author_email], family=families.get(code), text=text
                )
    timeline.write()


def _supervisee(session) -> User:
    return session.participants.all()[0].user


def _person(who: str, session, people) -> User:
    if who == "supervisor":
        return session.supervisor
    if who == "supervisee":
        return _supervisee(session)
    return people[who]


def _set_agenda(session, items, people, families, timeline) -> None:
    """The agenda both people set before a session that has since been held."""
    for number, (who, code, text) in enumerate(items):
        item = session_services.agenda_add(
            session=session, author=_person(who, session, people), family=families.get(code), text=text
        )
        item.created_at = session.starts_at - datetime.timedelta(days=3, hours=-number)
        timeline.agenda_items.append(item)


def _reply(session, replies, people, timeline, *, now) -> None:
    """A short thread under signed notes, in the days after signing."""
    signed_at = min(session.ends_at + datetime.timedelta(days=1, hours=2), now)
    for number, (who, text) in enumerate(replies, start=1):
        reply = session_services.session_reply_add(session=session, author=_person(who, session, people), text=text)
        reply.created_at = min(signed_at + datetime.timedelta(hours=5 * number), now)
        timeline.replies.append(reply)


def _seen(session, timeline, *, now, unseen: bool) -> None:
    """The people in the session opened it after the notes were signed (but for the unseen ones)."""
    signed_at = min(session.ends_at + datetime.timedelta(days=1, hours=2), now)
    for participant in session.participants.all():
        participant.notes_seen_at = None if unseen else min(signed_at + datetime.timedelta(hours=4), now)
        timeline.seen.append(participant)


def _cancel(session, action, timeline, *, now) -> None:
    _kind, reason, *who = action
    actor = _supervisee(session) if who == ["supervisee"] else session.supervisor
    session_services.session_cancel(session=session, actor=actor, reason=reason)
    if session.starts_at < now:
        when = min(session.starts_at - datetime.timedelta(hours=20), now)
        timeline.session(session.pk, "cancelled_at", when)
        timeline.events[session.pk, SessionEvent.Kind.CANCELLED] = when


def _mark(session, status, people, notes, timeline) -> None:
    absent = people[notes["absent"]].pk if notes and notes.get("absent") else None
    attendance = {
        participant.user_id: Attendance.ABSENT if participant.user_id == absent else Attendance.ATTENDED
        for participant in session.participants.all()
    }
    session_services.session_record_attendance(
        session=session, actor=session.supervisor, status=status, attendance=attendance
    )
    when = session.ends_at + datetime.timedelta(minutes=15)
    timeline.events[session.pk, SessionEvent.Kind.HELD] = when
    timeline.events[session.pk, SessionEvent.Kind.MISSED] = when


def _document(session, notes, timeline, *, now) -> None:
    supervisor = session.supervisor
    signed_at = min(session.ends_at + datetime.timedelta(days=1, hours=2), now)
    if notes:
        session_services.session_save_notes(
            session=session,
            actor=supervisor,
            notes=notes["text"],
            elements=notes["elements"],
            expected_version=session.notes_version,
        )
        timeline.versions[session.pk] = signed_at - datetime.timedelta(minutes=10)
        wanted = notes["follow_up"]
        if wanted:
            owner = supervisor if wanted["owner"] == "supervisor" else _supervisee(session)
            due_on = timezone.localtime(session.starts_at).date() + datetime.timedelta(days=wanted["due_days"])
            item = session_services.follow_up_add(
                session=session, actor=supervisor, text=wanted["text"], owner=owner, due_on=due_on, kind=wanted["kind"]
            )
            item.created_at = signed_at - datetime.timedelta(minutes=5)
            done_at = min(session.ends_at + datetime.timedelta(days=max(wanted["due_days"] - 1, 0), hours=3), now)
            item.done_at = done_at if wanted["done"] else None
            timeline.follow_ups.append(item)
    session_services.session_sign(session=session, actor=supervisor)
    timeline.session(session.pk, "signed_at", signed_at)
    timeline.events[session.pk, SessionEvent.Kind.SIGNED] = signed_at


# ---------------------------------------------------------------------------
# Reflections
# ---------------------------------------------------------------------------

# When people sit down to write: after a visit, at the end of the day.
WRITING_TIMES = [(16, 40), (13, 15), (17, 55), (15, 5), (18, 30), (12, 20), (16, 10), (14, 45)]


def _session_for(author: User, which: tuple, people: dict[str, User], now: datetime.datetime) -> SupervisionSession:
    """The session a reflection is for: ("group" or a supervisor's email, position), as in ``reflection``."""
    who, position = which
    sessions = SupervisionSession.objects.filter(participants__user=author).exclude(status=Status.CANCELLED)
    if who == "group":
        sessions = sessions.filter(group__isnull=False)
    else:
        sessions = sessions.filter(supervisor=people[who], agreement__isnull=False)
    if position > 0:
        found = list(sessions.filter(starts_at__gte=now).order_by("starts_at")[position - 1 : position])
    else:
        found = list(
            sessions.filter(starts_at__lt=now, status=Status.HELD).order_by("-starts_at")[-position - 1 : -position]
        )
    if not found:
        raise DemoError(f"No session {which} for {author.email}'s demo reflection.")
    return found[0]


def _build_reflections(organization, people, families, *, now, tz) -> None:
    """Write the demo reflections through the services, then move their times into the past."""
    today = timezone.localdate(now, timezone=tz)
    latest = now - datetime.timedelta(minutes=10)
    planned = []
    for index, spec in enumerate(REFLECTIONS.get(organization.name, [])):
        author = people[spec["author"]]
        session = _session_for(author, spec["session"], people, now) if spec["session"] else None
        if spec["days_ago"] is not None:
            day = today - datetime.timedelta(days=spec["days_ago"])
        else:  # two days before the session it is for
            day = timezone.localtime(session.starts_at, tz).date() - datetime.timedelta(days=2)
        created = min(_at(day, *WRITING_TIMES[index % len(WRITING_TIMES)], tz), latest)
        planned.append((created, spec, author, session))
    planned.sort(key=lambda plan: plan[0])

    reflections, version_times, shares, responses = [], {}, [], []

    def later(start: datetime.datetime, days: float) -> datetime.datetime:
        return min(start + datetime.timedelta(days=days), latest)

    for created, spec, author, session in planned:
        texts = dict(spec["sections"])
        score, words = spec["checkin"] or (None, "")
        data = {
            **texts,
            "title": spec["title"],
            "family": families[spec["family"]] if spec["family"] else None,
            "session": session,
            "checkin_score": score,
            "checkin_words": words,
        }
        item = reflection_services.reflection_create(
            author=author, data=data, sitting=reflection_services.new_sitting()
        )
        sittings = [(created, later(created, 0.02))]
        for after, changes in spec["edits"]:
            texts.update(changes)
            item, _changed, _redacted = reflection_services.reflection_save(
                reflection=item,
                actor=author,
                data=texts,
                expected_revision=item.revision,
                sitting=reflection_services.new_sitting(),
            )
            sittings.append((later(created, after), later(created, after + 0.015)))
        version_times[item.pk] = sittings
        item.created_at, item.updated_at = created, sittings[-1][1]
        item.author_seen_at = item.updated_at
        if spec["share"]:
            email, after = spec["share"]
            supervisor = people[email]
            [share] = reflection_services.reflection_share(reflection=item, supervisors=[supervisor])
            share.shared_at = later(created, after)
            thread = []
            for who, after_share, text in spec["responses"]:
                writer = supervisor if who == "supervisor" else author
                response = reflection_services.response_add(reflection=item, author=writer, text=text)
                response.created_at = later(share.shared_at, after_share)
                thread.append(response)
            responses += thread
            if spec["read"] is not None:
                reflection_services.mark_read(reflection=item, reader=supervisor)
                share.first_read_at = later(share.shared_at, spec["read"])
                own = [response.created_at for response in thread if response.author_id == supervisor.pk]
                share.last_read_at = max([share.first_read_at, *own])
            if spec["unshare"] is not None:
                reflection_services.reflection_unshare(reflection=item, supervisor_id=supervisor.pk)
                share.revoked_at = later(share.shared_at, spec["unshare"])
            shares.append(share)
            if thread:
                reflection_services.mark_read(reflection=item, reader=author)
                if spec["seen"]:
                    last = thread[-1]
                    item.author_seen_at = later(last.created_at, 0 if last.author_id == author.pk else 0.2)
                else:  # read once after sharing; the newest response came later
                    item.author_seen_at = later(share.shared_at, 1)
        if spec["deleted"] is not None:
            reflection_services.reflection_delete(reflection=item)
            item.deleted_at = later(created, spec["deleted"])
        reflections.append(item)

    Reflection.objects.bulk_update(reflections, ["created_at", "updated_at", "author_seen_at", "deleted_at"])
    versions = list(ReflectionVersion.objects.filter(reflection__in=reflections))
    for version in versions:
        version.started_at, version.saved_at = version_times[version.reflection_id][version.number - 1]
    ReflectionVersion.objects.bulk_update(versions, ["started_at", "saved_at"])
    ReflectionShare.objects.bulk_update(shares, ["shared_at", "first_read_at", "last_read_at", "revoked_at"])
    ReflectionResponse.objects.bulk_update(responses, ["created_at"])


def demo_counts(organizations: Iterable[Organization]) -> dict[str, int]:
    organizations = list(organizations)
    return {
        "families": Family.objects.filter(organization__in=organizations).count(),
        "agreements": SupervisionAgreement.objects.filter(organization__in=organizations).count(),
        "groups": RSCGroup.objects.filter(organization__in=organizations).count(),
        "sessions": SupervisionSession.objects.filter(organization__in=organizations).count(),
        "reflections": Reflection.objects.alive().filter(organization__in=organizations).count(),
    }


# ---------------------------------------------------------------------------
# Volume data for performance work
# ---------------------------------------------------------------------------

VOLUME_ORGANIZATION = "Volume Test Agency"
VOLUME_TIME_ZONE = "America/Chicago"
VOLUME_DOMAIN = "volume.example"
VOLUME_WEEKS_AHEAD = 4
BATCH_SIZE = 2000
SESSIONS_PER_CHUNK = 10_000

FIRST_NAMES = [
    "Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indigo", "Jules",
    "Kai", "Lane", "Morgan", "Noor", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Bianchi", "Chen", "Dubois", "Eriksen", "Fofana", "Garcia", "Haddad", "Ito", "Jensen",
    "Kowalski", "Lindqvist", "Mensah", "Novak", "Okoye", "Patel", "Quispe", "Rossi", "Santos", "Tran",
]  # fmt: skip
COLOURS = ["Blue", "Green", "Oak", "Maple", "River", "Cedar", "Willow", "Amber", "Birch", "Coral", "Fern", "Pine"]
CONTEXTS = [Context.HOME_VISITING, Context.EARLY_INTERVENTION, Context.CHILD_CARE, Context.CHILD_PROTECTION]
CAREGIVER_NOTES = [
    "",
    "Speaks Spanish at home; prefers visits with an interpreter.",
    "Works shifts; visits fit around the school run.",
    "Recently moved; still finding their way around the neighbourhood.",
    "Close to extended family, who help most days.",
    "First-time parent, curious and a little anxious.",
    "Arabic and English at home.",
    "Money is tight this year.",
]
VOLUME_NOTES = [
    "{code}: wondered what the baby is noticing as routines change at home.",
    "{code}: how money worries reach the baby, and what helps the caregiver stay close.",
    "Noticed the pull to fix things for {code}, and stayed curious instead.",
    "{code}: the baby's cues are clearer now; we talked about naming them back to the caregiver.",
    "A heavy week. What the practitioner needs to keep going with {code}.",
    "{code}: how the family might tell this story themselves, and what we do not know yet.",
    "The caregiver's rush in {code} showed up in our hour too.",
    "{code}: a hard goodbye at child care, and what the toddler may be learning about leaving and returning.",
]
VOLUME_AGENDA = [
    "Feeling stretched this month.",
    "Endings with families.",
    "Working with an interpreter.",
    "When the caregiver's worries crowd out the baby.",
    "Keeping my own evenings free of work.",
]
VOLUME_FOLLOW_UPS = {
    Kind.REFLECTIVE: "Notice one moment between the baby and the caregiver at the next visit.",
    Kind.ADMINISTRATIVE: "Ask the office about interpreter hours for the next visits.",
    Kind.SAFETY: "Consult the program manager about the reporting question today.",
}
CANCEL_REASONS = [CRISIS_VISIT, SUPERVISOR_ILL, "Practitioner on leave", "Office closed for bad weather"]
ELEMENT_KEYS = [key for key, _label in RIOS_ELEMENTS]


def _bulk(model, objects: list) -> list:
    return model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def _family_code(index: int) -> str:
    half, style = divmod(index, 2)
    if style == 0:
        number, colour = divmod(half, len(COLOURS))
        return f"{COLOURS[colour]} {number + 1}"
    number, letters = divmod(half, 26 * 26)
    first, second = divmod(letters, 26)
    return f"{chr(65 + first)}{chr(65 + second)}-{number + 1}"


def _volume_name(index: int) -> str:
    first, last = divmod(index, len(LAST_NAMES))
    return f"{FIRST_NAMES[first % len(FIRST_NAMES)]} {LAST_NAMES[last]}"


def build_volume(
    *, families: int, practitioners: int, supervisors: int, months: int, password_hash: str, log: Callable[[str], None]
) -> dict[str, int]:
    """Rebuild the volume organization: people, families, agreements, weekly sessions and reflections,
    with bulk inserts."""
    started = time.monotonic()

    def progress(message: str) -> None:
        log(f"  {message} ({time.monotonic() - started:.1f} s)")

    rng = random.Random(20_240)  # noqa: S311 - fixed, so each run makes the same records
    with transaction.atomic():
        organization, _ = Organization.objects.get_or_create(
            name=VOLUME_ORGANIZATION, defaults={"time_zone": VOLUME_TIME_ZONE}
        )
        tz = zoneinfo.ZoneInfo(organization.time_zone)
        today = timezone.localdate(timezone=tz)
        now = timezone.now()
        purge_records(organization, fast=True)
        User.objects.filter(organization=organization).delete()
        _set_emergency_contact(organization)
        progress("Cleared the volume organization")

        admin, supervisor_ids, practitioner_ids = _volume_people(
            organization, supervisors, practitioners, password_hash
        )
        progress(f"{1 + supervisors + practitioners:,} people")

        families_of = _volume_families(organization, families, practitioner_ids, today, rng)
        progress(f"{families:,} families with children and caregivers")

        first_day = session_services.add_months(today, -months)
        last_day = today + datetime.timedelta(weeks=VOLUME_WEEKS_AHEAD)
        agreements = _bulk(
            SupervisionAgreement,
            [
                SupervisionAgreement(
                    organization=organization,
                    supervisor_id=supervisor_ids[index * supervisors // practitioners],
                    supervisee_id=practitioner_id,
                    starts_on=first_day - datetime.timedelta(days=30),
                    format=Format.INDIVIDUAL,
                    cadence=Cadence.WEEKLY,
                    usual_minutes=60,
                    confidentiality_limits=organization.confidentiality_limits,
                    emergency_contact=organization.emergency_contact,
                    supervisor_acknowledged_at=_at(first_day, 9, 0, tz) - datetime.timedelta(days=30),
                    supervisee_acknowledged_at=_at(first_day, 9, 0, tz) - datetime.timedelta(days=29),
                    created_by=admin,
                )
                for index, practitioner_id in enumerate(practitioner_ids)
            ],
        )
        # Set up a week before the first acknowledgements, not at the time of this run.
        SupervisionAgreement.objects.filter(organization=organization).update(
            created_at=_at(first_day, 14, 30, tz) - datetime.timedelta(days=37)
        )
        series = _bulk(
            SessionSeries,
            [
                SessionSeries(organization=organization, frequency=SessionSeries.Frequency.WEEKLY)
                for _agreement in agreements
            ],
        )
        progress(f"{len(agreements):,} agreements")

        sessions_of = [([], []) for _agreement in agreements]
        counts = _volume_sessions(
            agreements, series, families_of, first_day=first_day, last_day=last_day, tz=tz, now=now, rng=rng,
            progress=progress, sessions_of=sessions_of,
        )  # fmt: skip
        counts.update(
            _volume_reflections(
                organization, agreements, families_of, sessions_of, first_day=first_day, today=today, tz=tz, now=now,
                rng=rng, progress=progress,
            )
        )  # fmt: skip
    counts.update(
        families=families,
        practitioners=practitioners,
        supervisors=supervisors,
        agreements=len(agreements),
        seconds=round(time.monotonic() - started, 1),
    )
    return counts


def _volume_people(organization, supervisors, practitioners, password_hash):
    def person(email, full_name, **roles):
        return User(
            email=email,
            full_name=full_name,
            organization=organization,
            time_zone=organization.time_zone,
            password=password_hash,
            invitation_accepted=True,
            **roles,
        )

    s_width, p_width = max(3, len(str(supervisors))), max(4, len(str(practitioners)))
    admin = person(f"admin@{VOLUME_DOMAIN}", "Volume Administrator", is_account_admin=True)
    people = [admin]
    people += [
        person(f"s{number:0{s_width}d}@{VOLUME_DOMAIN}", _volume_name(number * 7), is_supervisor=True)
        for number in range(1, supervisors + 1)
    ]
    people += [
        person(f"p{number:0{p_width}d}@{VOLUME_DOMAIN}", _volume_name(number), is_practitioner=True)
        for number in range(1, practitioners + 1)
    ]
    people = _bulk(User, people)
    supervisor_ids = [user.pk for user in people[1 : supervisors + 1]]
    practitioner_ids = [user.pk for user in people[supervisors + 1 :]]
    return people[0], supervisor_ids, practitioner_ids


def _volume_families(organization, count, practitioner_ids, today, rng) -> list[list[tuple]]:
    """Families spread evenly over the practitioners.

    Returns each practitioner's families as (id, code, opened on, closed on, how the
    youngest child is called, how the first caregiver is called) tuples.
    """
    rows = []
    tz, now = zoneinfo.ZoneInfo(organization.time_zone), timezone.now()
    for index in range(count):
        opened_on = today - datetime.timedelta(days=rng.randint(30, 900))
        closed_on = None
        if rng.random() < 0.12:
            closed_on = min(today, opened_on + datetime.timedelta(days=rng.randint(60, 600)))
        practitioner_id = practitioner_ids[index % len(practitioner_ids)]
        rows.append(
            Family(
                organization=organization,
                code=_family_code(index),
                context=CONTEXTS[index % len(CONTEXTS)],
                opened_on=opened_on,
                closed_on=closed_on,
                # Closed in the app that afternoon (or just now), by its practitioner.
                closed_at=min(now, _at(closed_on, 17, 0, tz)) if closed_on else None,
                closed_by_id=practitioner_id if closed_on else None,
                created_by_id=practitioner_id,
            )
        )
    rows = _bulk(Family, rows)
    through = Family.practitioners.through
    _bulk(
        through,
        [
            through(family_id=family.pk, user_id=practitioner_ids[index % len(practitioner_ids)])
            for index, family in enumerate(rows)
        ],
    )
    children, caregivers, names = [], [], []
    relationships = [Rel.MOTHER, Rel.MOTHER, Rel.FATHER, Rel.GRANDPARENT, Rel.FOSTER_PARENT, Rel.KIN]
    for family in rows:
        first_child, first_caregiver = len(children), len(caregivers)
        ages = [rng.randint(-3, 36)]
        if rng.random() < 0.3:
            ages.append(ages[0] + rng.randint(14, 48))
        for age in ages:
            children.append(
                Child(
                    family_id=family.pk,
                    label=chr(65 + rng.randrange(26)),
                    birth_month=first_of_month(today, -age),
                    expected=age < 0,
                )
            )
        for _number in range(1 + (rng.random() < 0.5)):
            caregivers.append(
                Caregiver(
                    family_id=family.pk,
                    relationship=rng.choice(relationships),
                    label=chr(65 + rng.randrange(26)),
                    notes=rng.choice(CAREGIVER_NOTES),
                )
            )
        child, carer = children[first_child], caregivers[first_caregiver]
        names.append(("the baby" if child.expected else child.label, CARER_NAMES[carer.relationship]))
    _bulk(Child, children)
    _bulk(Caregiver, caregivers)
    families_of = [[] for _id in practitioner_ids]
    for index, family in enumerate(rows):
        families_of[index % len(practitioner_ids)].append(
            (family.pk, family.code, family.opened_on, family.closed_on, *names[index])
        )
    return families_of


def _volume_sessions(agreements, series, families_of, *, first_day, last_day, tz, now, rng, progress, sessions_of):
    """Weekly sessions for every agreement, written a chunk of practitioners at a time.

    Fills ``sessions_of`` with each agreement's sessions that were not cancelled, as
    (start times, ids) in order, for the reflections written for them.
    """
    utc = datetime.UTC
    slots: dict[tuple[int, int], list[datetime.datetime]] = {}

    def starts_for(index: int) -> list[datetime.datetime]:
        key = (index % 5, (index // 5) % 16)  # a weekday, and a half-hour slot from 8:00
        if key not in slots:
            day = _next_weekday(first_day, key[0])
            hour, minute = divmod(8 * 60 + 30 * key[1], 60)
            starts = []
            while day <= last_day:
                starts.append(_at(day, hour, minute, tz).astimezone(utc))
                day += datetime.timedelta(weeks=1)
            slots[key] = starts
        return slots[key]

    total = sum(len(starts_for(index)) for index in range(len(agreements)))
    per_practitioner = max(1, total // max(1, len(agreements)))
    chunk = max(1, SESSIONS_PER_CHUNK // per_practitioner)
    scheduled_at = _at(first_day, 9, 0, tz).astimezone(utc) - datetime.timedelta(days=14)
    counts = defaultdict(int)
    day = datetime.timedelta(days=1)
    for begin in range(0, len(agreements), chunk):
        sessions, plans, owners = [], [], []
        for index in range(begin, min(begin + chunk, len(agreements))):
            agreement, one_series, own_families = agreements[index], series[index], families_of[index]
            starts = starts_for(index)
            last_past = max((number for number, start in enumerate(starts) if start < now), default=-1)
            upcoming_seen = False
            for number, start in enumerate(starts):
                family = own_families[number % len(own_families)] if own_families else None
                fields = {}
                if start >= now:
                    kind = "scheduled"
                    first_upcoming = not upcoming_seen
                    upcoming_seen = True
                elif number == last_past:
                    kind, first_upcoming = "waiting", False
                else:
                    first_upcoming = False
                    draw = rng.random()
                    kind = "cancelled" if draw < 0.06 else "missed" if draw < 0.09 else "signed"
                if kind == "cancelled":
                    fields = {
                        "status": Status.CANCELLED,
                        "cancelled_by_id": agreement.supervisor_id,
                        "cancelled_at": start - day,
                        "cancel_reason": rng.choice(CANCEL_REASONS),
                    }
                elif kind == "missed":
                    fields = {"status": Status.MISSED}
                elif kind == "waiting":
                    fields = {"status": Status.HELD}
                elif kind == "signed":
                    text = rng.choice(VOLUME_NOTES).format(code=family[1] if family else "A family")
                    fields = {
                        "status": Status.HELD,
                        "notes": text,
                        "notes_version": 1,
                        "signed_at": start + day,
                        "signed_by_id": agreement.supervisor_id,
                    }
                sessions.append(
                    SupervisionSession(
                        organization_id=agreement.organization_id,
                        supervisor_id=agreement.supervisor_id,
                        agreement_id=agreement.pk,
                        series_id=one_series.pk,
                        starts_at=start,
                        duration_minutes=60,
                        modality=Modality.VIDEO if index % 3 == 0 else Modality.IN_PERSON,
                        **fields,
                    )
                )
                plans.append((kind, agreement, family, first_upcoming))
                owners.append(index)
        sessions = _bulk(SupervisionSession, sessions)
        for session, (kind, *_plan), index in zip(sessions, plans, owners, strict=True):
            if kind != "cancelled":
                sessions_of[index][0].append(session.starts_at)
                sessions_of[index][1].append(session.pk)
        _volume_session_details(sessions, plans, scheduled_at, now, rng, counts)
        counts["sessions"] += len(sessions)
        progress(f"sessions {counts['sessions']:,} of {total:,}")
    return dict(counts)


def _volume_session_details(sessions, plans, scheduled_at, now, rng, counts) -> None:
    participants, events, versions, elements, agenda, follow_ups = [], [], [], [], [], []
    Event = SessionEvent.Kind
    after = datetime.timedelta(minutes=75)
    for session, (kind, agreement, family, first_upcoming) in zip(sessions, plans, strict=True):
        pk, start = session.pk, session.starts_at
        supervisor_id, supervisee_id = agreement.supervisor_id, agreement.supervisee_id
        counts[kind] += 1
        events.append(SessionEvent(session_id=pk, kind=Event.SCHEDULED, actor_id=supervisor_id, at=scheduled_at))
        attendance = Attendance.UNKNOWN
        if kind == "cancelled":
            events.append(
                SessionEvent(
                    session_id=pk, kind=Event.CANCELLED, actor_id=supervisor_id, reason=session.cancel_reason,
                    at=session.cancelled_at,
                )
            )  # fmt: skip
        elif kind == "missed":
            attendance = Attendance.ABSENT
            events.append(SessionEvent(session_id=pk, kind=Event.MISSED, actor_id=supervisor_id, at=start + after))
        elif kind in {"waiting", "signed"}:
            attendance = Attendance.ATTENDED
            events.append(SessionEvent(session_id=pk, kind=Event.HELD, actor_id=supervisor_id, at=start + after))
        if kind == "signed":
            events.append(SessionEvent(session_id=pk, kind=Event.SIGNED, actor_id=supervisor_id, at=session.signed_at))
            versions.append(
                SessionNoteVersion(
                    session_id=pk, number=1, notes=session.notes, saved_by_id=supervisor_id, saved_at=session.signed_at
                )
            )
            for element in rng.sample(ELEMENT_KEYS, 1 + (rng.random() < 0.5)):
                elements.append(SessionElement(session_id=pk, element=element))
            draw = rng.random()
            if draw < 0.15:
                follow_kind = Kind.SAFETY if draw < 0.005 else Kind.ADMINISTRATIVE if draw < 0.02 else Kind.REFLECTIVE
                due = start + datetime.timedelta(days=0 if follow_kind == Kind.SAFETY else 7)
                follow_ups.append(
                    FollowUp(
                        session_id=pk,
                        text=VOLUME_FOLLOW_UPS[follow_kind],
                        owner_id=supervisee_id,
                        due_on=due.date(),
                        kind=follow_kind,
                        done_at=due if due < now - datetime.timedelta(weeks=3) else None,
                    )
                )
        participants.append(SessionParticipant(session_id=pk, user_id=supervisee_id, attendance=attendance))
        if first_upcoming or (kind == "signed" and rng.random() < 0.25):
            if family and rng.random() < 0.6:
                agenda.append(AgendaItem(session_id=pk, author_id=supervisee_id, family_id=family[0]))
            else:
                agenda.append(AgendaItem(session_id=pk, author_id=supervisee_id, text=rng.choice(VOLUME_AGENDA)))
    for model, rows in [
        (SessionParticipant, participants),
        (SessionEvent, events),
        (SessionNoteVersion, versions),
        (SessionElement, elements),
        (AgendaItem, agenda),
        (FollowUp, follow_ups),
    ]:
        _bulk(model, rows)
    counts["agenda items"] += len(agenda)
    counts["follow-ups"] += len(follow_ups)


# Volume reflections: about one a month for each family while it is open, composed from short
# sentences. {child}/{Child} is the youngest child ("K" or "the baby"), {carer}/{Carer} the first
# caregiver. At one a month the reflections take about half as long to write as the sessions;
# every extra one per family a month adds about that much again.

REFLECTIONS_PER_FAMILY_MONTH = 1
REFLECTIONS_PER_CHUNK = 20_000
CARER_NAMES = {
    Rel.MOTHER: "Mom",
    Rel.FATHER: "Dad",
    Rel.GRANDPARENT: "Grandma",
    Rel.FOSTER_PARENT: "the foster parent",
    Rel.KIN: "the aunt",
    Rel.OTHER: "the caregiver",
}
# How often each perspective is written about, and its pool of sentences.
VOLUME_SECTIONS = {
    "what_happened": (
        0.9,
        [
            "{Carer} was feeding {child} when I arrived, and we talked on the sofa.",
            "A short visit: {child} had a cold and {carer} was tired after a bad night.",
            "{Child} crawled to the door when I knocked, then hid behind {carer}.",
            "We spent most of the hour on a housing form, with {child} playing at our feet.",
            "{Carer} showed me a new game {child} loves: hiding a spoon under a cloth.",
            "The visit ran long; {carer} wanted to talk about the family's move.",
            "{Child} cried when I arrived and settled once {carer} picked them up.",
            "The interpreter joined by phone, and {carer} spoke more freely than last time.",
            "{Carer} had questions about sleep and had written them down for me.",
            "We sat on the floor while {child} pulled everything out of the toy basket.",
            "A visit at child care: {child} watched the door for a long time after drop-off.",
            "{Carer} was quieter than usual and kept the television on.",
        ],
    ),
    "baby_experience": (
        0.6,
        [
            "I wonder what {child} noticed about the grown-ups' voices today.",
            "{Child} kept checking {carer}'s face before trying anything new.",
            "If {child} could tell us about this visit, it might be about being held through a hard moment.",
            "{Child} seems to be learning that crying brings someone close.",
            "At this age {child} needs the routines to stay steady while so much changes around them.",
            "{Child} lit up when {carer} sang; that song seems to mean home.",
            "{Child} was quiet for a long time. I'm not sure whether that was calm or watching.",
            "{Child} is working hard on something new and wants someone to see it.",
            "While we talked about money, {child} was on the rug, listening more than we think.",
        ],
    ),
    "caregiver_experience": (
        0.7,
        [
            "{Carer} seemed tired and proud at the same time.",
            "{Carer} worries about doing enough and asks me for reassurance.",
            "Money is tight, and {carer} carries that into every visit.",
            "{Carer} noticed {child}'s cues quickly today, a real strength.",
            "{Carer} said nobody asks how they are doing.",
            "{Carer} is juggling shifts and still makes time to play.",
            "I think {carer} felt judged at the last appointment and arrived guarded.",
            "{Carer} laughed more today than in weeks.",
        ],
    ),
    "family_context": (
        0.35,
        [
            "Extended family help most days, and their advice does not always agree.",
            "English is not the language of home; we rely on the interpreter.",
            "A recent move has unsettled everyone's routines.",
            "I don't know yet what this family believes about babies and sleep.",
            "Other services are involved, and there are many appointments to keep.",
            "Faith and community matter a lot here; neighbours bring meals.",
            "My own ideas about discipline may be shaping what I see.",
        ],
    ),
    "own_response": (
        0.6,
        [
            "I felt the pull to fix things and tried to stay curious instead.",
            "I left the visit heavy, and it stayed with me all evening.",
            "I felt hopeful about {code} for the first time in a while.",
            "I noticed how much I wanted {carer} to like me.",
            "I was impatient today, and I want to understand why.",
            "This family reminds me of someone in my own life, and I need to watch that.",
            "I felt moved watching {carer} and {child} together.",
            "I was tired before I arrived, and I think it showed.",
        ],
    ),
    "parallel_process": (
        0.25,
        [
            "The rush in this family showed up in how I rushed through the visit.",
            "{Carer} wants answers from me the way I want answers from supervision.",
            "I tried to hold {carer} in mind the way I hope {carer} can hold {child}.",
            "When {carer} went quiet, I went quiet too.",
            "The worry travels: from {carer} to me, and maybe into our hour.",
        ],
    ),
    "wondering": (
        0.4,
        [
            "What would {child} say about this if they could?",
            "What does {carer} imagine {child} needs most right now?",
            "What are we not yet asking about this family's story?",
            "How can I bring {child} back into the conversation when the adults' worries fill the room?",
            "Is there something {carer} is trying to tell me that I keep missing?",
            "How do I stay steady when a visit feels chaotic?",
        ],
    ),
    "next_steps": (
        0.5,
        [
            "Name one moment between {carer} and {child} at the next visit.",
            "Ask {carer} what mornings are like at home.",
            "Bring the questions about sleep to the next visit.",
            "Check with the office about interpreter hours.",
            "Watch how {child} greets {carer} after time apart.",
            "Slow down at the start of the next visit.",
            "Bring this to supervision.",
        ],
    ),
}
VOLUME_TITLES = [
    "{code}: a hard goodbye",
    "{code}: a good visit",
    "{code}: money and worry",
    "{code}: after the move",
    "{code}: something new",
    "{code}: the crying",
    "{code}: who holds whom",
    "{code}: before our session",
    "Feeling stretched",
]
VOLUME_CHECKINS = [
    (1, "running on empty"),
    (2, "tired"),
    (2, "stretched"),
    (2, "heavy"),
    (3, "steady"),
    (3, "ok"),
    (3, "curious"),
    (3, "full"),
    (4, "hopeful"),
    (4, "calm"),
    (4, "grateful"),
    (5, "energised"),
]
VOLUME_RESPONSES = [
    "Thank you for writing this. What do you imagine {child} made of it?",
    "I'm struck by how much you noticed. Let's start there next time.",
    "I wonder what it was like for you to stay with that.",
    "It sounds like a hard visit. What helped you keep going?",
    "I'd like to hear more about {carer}'s side of this when we meet.",
    "That moment between {carer} and {child} seems worth holding on to.",
]
VOLUME_REPLIES = [
    "Thank you. I'll bring it to our session.",
    "I hadn't thought of it that way.",
    "Yes, I'd like to come back to this.",
    "Writing it helped; I feel steadier.",
]


def _volume_writing(rng, names: dict[str, str], recent: float) -> tuple[dict[str, str], str]:
    """The sections of one reflection, and which was written last. More recent writing
    holds the baby in mind a little more often."""
    texts = dict.fromkeys(SECTION_FIELDS, "")
    last = ""
    for field, (chance, pool) in VOLUME_SECTIONS.items():
        if field == "baby_experience":
            chance += 0.25 * recent - 0.1
        if rng.random() < chance:
            sentences = rng.sample(pool, 2) if rng.random() < 0.3 else [rng.choice(pool)]
            texts[field] = " ".join(sentence.format(**names) for sentence in sentences)
            last = field
    if not last:
        texts["what_happened"] = rng.choice(VOLUME_SECTIONS["what_happened"][1]).format(**names)
        last = "what_happened"
    return texts, last


def _volume_reflections(
    organization, agreements, families_of, sessions_of, *, first_day, today, tz, now, rng, progress
) -> dict[str, int]:
    """About REFLECTIONS_PER_FAMILY_MONTH reflections for each family while it is open, by its
    practitioner: some for a session, some shared with their supervisor and answered."""
    latest = now - datetime.timedelta(minutes=5)
    per_day = REFLECTIONS_PER_FAMILY_MONTH * 12 / 365.25
    window = max(1, (today - first_day).days)
    counts = defaultdict(int)
    pending: list[tuple] = []

    def later(moment: datetime.datetime, low: float, high: float) -> datetime.datetime | None:
        moment += datetime.timedelta(days=rng.uniform(low, high))
        return moment if moment < latest else None

    for index, agreement in enumerate(agreements):
        author_id, supervisor_id = agreement.supervisee_id, agreement.supervisor_id
        starts, session_ids = sessions_of[index]
        for family_id, code, opened_on, closed_on, child, carer in families_of[index]:
            begin = max(first_day, opened_on)
            days = (min(closed_on or today, today) - begin).days
            if days <= 0:
                continue
            names = {"child": child, "Child": child[0].upper() + child[1:], "carer": carer,
                     "Carer": carer[0].upper() + carer[1:], "code": code}  # fmt: skip
            for _number in range(int(days * per_day + rng.random())):
                day = begin + datetime.timedelta(days=rng.randrange(days + 1))
                created = _at(day, rng.randint(8, 19), rng.randrange(60), tz)
                if created >= latest:
                    created = latest - datetime.timedelta(minutes=rng.randint(1, 600))
                session_id = None
                if rng.random() < 0.25:
                    position = bisect.bisect_left(starts, created)
                    if position < len(starts) and starts[position] - created < datetime.timedelta(days=10):
                        session_id = session_ids[position]
                texts, last = _volume_writing(rng, names, (day - first_day).days / window)
                pending.append((author_id, supervisor_id, family_id, session_id, created, texts, last, names, code))
        if len(pending) >= REFLECTIONS_PER_CHUNK or index == len(agreements) - 1:
            _volume_reflection_rows(organization, pending, later, latest, rng, counts)
            pending = []
            progress(f"reflections {counts['reflections']:,}")
    return dict(counts)


def _volume_reflection_rows(organization, pending, later, latest, rng, counts) -> None:
    """Write one chunk of reflections, with their versions, shares and responses."""
    reflections, versions, shares, responses = [], [], [], []
    for author_id, supervisor_id, family_id, session_id, created, texts, last, names, code in pending:
        row = len(reflections)
        score, words = rng.choice(VOLUME_CHECKINS) if rng.random() < 0.45 else (None, "")
        title = rng.choice(VOLUME_TITLES).format(code=code) if rng.random() < 0.35 else ""
        saved = min(created + datetime.timedelta(minutes=rng.randint(5, 40)), latest)
        # A second sitting added the last section.
        edited = later(created, 0.5, 6) if rng.random() < 0.2 and last != "what_happened" else None
        if edited:  # version 1 of the others is copied from the reflection once it is written
            versions.append(
                (row, ReflectionVersion(number=1, title=title, sections={**texts, last: ""}, saved_by_id=author_id,
                                        started_at=created, saved_at=saved))
            )  # fmt: skip
            versions.append(
                (row, ReflectionVersion(number=2, title=title, sections=texts, saved_by_id=author_id,
                                        started_at=edited - datetime.timedelta(minutes=15), saved_at=edited))
            )  # fmt: skip
            saved = edited
        seen = saved
        shared = later(created, 0.05, 2) if rng.random() < (0.75 if session_id else 0.35) else None
        if shared is not None:
            # The share reaches back to the version standing when it was made (rsc/services/versions.py).
            standing = 2 if edited and shared >= edited - datetime.timedelta(minutes=15) else 1
            share = ReflectionShare(supervisor_id=supervisor_id, shared_at=shared, first_version=standing)
            shares.append((row, share))
            read = later(shared, 0.05, 4) if rng.random() < 0.85 else None
            if read is not None:
                share.first_read_at = share.last_read_at = read
                if rng.random() < 0.5:
                    moment, writer = read + datetime.timedelta(minutes=rng.randint(5, 90)), supervisor_id
                    for _turn in range(1 + (rng.random() < 0.4) + (rng.random() < 0.3)):
                        if moment is None or moment >= latest:
                            break
                        pool = VOLUME_RESPONSES if writer == supervisor_id else VOLUME_REPLIES
                        text = rng.choice(pool).format(**names)
                        responses.append((row, ReflectionResponse(author_id=writer, text=text, created_at=moment)))
                        if writer == supervisor_id:
                            share.last_read_at = moment
                            # Most authors have read the answer; the newest may not have been seen yet.
                            seen = later(moment, 0.05, 3) if rng.random() < 0.8 else seen
                        else:
                            seen = moment
                        writer = author_id if writer == supervisor_id else supervisor_id
                        moment = later(moment, 0.05, 2)
                if rng.random() < 0.03:
                    share.revoked_at = later(share.last_read_at, 0.1, 5)
                    share.last_version = 2 if edited else 1
        reflections.append(
            Reflection(
                organization_id=organization.pk,
                author_id=author_id,
                family_id=family_id,
                session_id=session_id,
                title=title,
                checkin_score=score,
                checkin_words=words,
                revision=2 if edited else 1,
                created_at=created,
                updated_at=saved,
                author_seen_at=seen,
                deleted_at=later(created, 0.01, 10) if rng.random() < 0.02 else None,
                **texts,
            )
        )
    reflections = _bulk(Reflection, reflections)
    ids = [reflection.pk for reflection in reflections]
    copied = _copy_first_versions(organization, min(ids), max(ids)) if ids else 0
    for model, rows in [(ReflectionVersion, versions), (ReflectionShare, shares), (ReflectionResponse, responses)]:
        for row, item in rows:
            item.reflection_id = reflections[row].pk
        _bulk(model, [item for _row, item in rows])
    deleted = sum(reflection.deleted_at is not None for reflection in reflections)
    counts["reflections"] += len(reflections) - deleted  # as the people using the site see them
    counts["deleted reflections"] += deleted
    counts["reflection versions"] += copied + len(versions)
    counts["shared reflections"] += len(shares)
    counts["responses"] += len(responses)


def _copy_first_versions(organization, first_id: int, last_id: int) -> int:
    """Version 1 of each reflection written in one sitting: its text as it stands, copied inside the
    database with one INSERT ... SELECT, much quicker than building the rows here."""
    rows = (
        Reflection.objects.filter(organization=organization, pk__gte=first_id, pk__lte=last_id, revision=1)
        .order_by()
        .values_list(
            "pk",
            Value(1),
            "title",
            JSONObject(**{field: F(field) for field in SECTION_FIELDS}),
            Value(""),
            "author_id",
            "created_at",
            "updated_at",
        )
    )
    select, params = rows.query.sql_with_params()
    fields = ["reflection", "number", "title", "sections", "sitting", "saved_by", "started_at", "saved_at"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(ReflectionVersion._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(ReflectionVersion._meta.db_table)} ({columns}) {select}", params)
        return cursor.rowcount
