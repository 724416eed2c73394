"""Fictional demo records for ``manage.py seed_demo``.

Two kinds of data live here:

* The hand-written demo: families, agreements, a group and a few months of
  sessions for the two demo organizations. Every family is known by a code,
  every child by initials or a nickname and a birth month; all of it is
  invented. It is built through the same services the screens use, so the
  records look exactly like ones people made.
* The volume data for performance work: many families and about a hundred
  thousand sessions in a separate organization, written with bulk inserts.

Both are rebuilt from scratch on each run, and only inside their own
organizations.
"""

import datetime
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import Organization, User
from rsc import scheduling
from rsc.models import (
    AgendaItem,
    Caregiver,
    Child,
    Family,
    FollowUp,
    RSCGroup,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionSeries,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.agreements import RIOS_ELEMENTS, Cadence, Format

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


def note(text, elements, follow_up=None, absent=None) -> dict:
    return {"text": text, "elements": elements, "follow_up": follow_up, "absent": absent}


def follow_up(text, kind=Kind.REFLECTIVE, owner="supervisee", due_days=14, done=False) -> dict:
    return {"text": text, "kind": kind, "owner": owner, "due_days": due_days, "done": done}


# Agreements and their fortnightly sessions. "past" and "future" pick sessions
# by position: 1 is the most recent past session (or the next upcoming one).
# Notes go to the signed sessions, newest first, and start over if they run out.
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
            "agenda": [
                [
                    ("JM-2", "Bean is due soon and J has stopped mentioning the birth. How do I bring it up gently?"),
                    (None, "Feeling stretched between visits and paperwork this month."),
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
                ),
                note(
                    "JM-2. J spoke mostly about money and her lost shifts, and the visit stayed on forms. We "
                    "wondered what Bean might already be hearing and feeling in these months, and what J imagines "
                    "her baby will need from her. Priya noticed she had wanted to fix the budget rather than "
                    "stay with J's worry.",
                    ["baby_in_mind", "use_of_self"],
                    follow_up("Ask J what she imagines the first week at home with Bean will be like.", done=True),
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
            "location": "Video call (link in the calendar invitation)",
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
                ),
                note(
                    "Oak 3. A screamed at the end of family time and L, the foster parent, wondered whether the "
                    "visits are good for her. We tried to hold A's side: at two and a quarter, saying goodbye "
                    "to her mother twice a week, protest may show how much the relationship matters. Jordan "
                    "noticed how quickly she had agreed with L, whom she likes very much.",
                    ["baby_in_mind", "family_story", "use_of_self"],
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
            # New, and Chris has not acknowledged it yet.
            "supervisor": "supervisor2@demo.example",
            "supervisee": "practitioner4@demo.example",
            "starts_days_ago": 44,
            "supervisee_acknowledged": False,
            "weekday": 3,
            "time": (9, 30),
            "modality": Modality.VIDEO,
            "location": "Video call (link in the calendar invitation)",
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
                    "supervisor and what he found hard to bring. We read the agreement together; he would like "
                    "a little more time with it before acknowledging it, which is fine.",
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
            "location": "Video call (link in the calendar invitation)",
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
                ),
                note(
                    "TC-3: C stayed in the room through an evening cry for the first time, humming to Pip. "
                    "Jamie felt moved and also a little left out, and we wondered about that too.",
                    ["parallel_process", "baby_in_mind", "use_of_self"],
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


# ---------------------------------------------------------------------------
# Deleting an organization's records
# ---------------------------------------------------------------------------


def _record_querysets(organization: Organization) -> list[models.QuerySet]:
    """Everything the demo builds, in an order that never trips over a protected link."""
    return [
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
    return scheduling.add_months(day.replace(day=1), months)


def _at(day: datetime.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def build_demo(organization: Organization, people: dict[str, User]) -> None:
    """Rebuild the demo records of one demo organization from scratch."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    today = timezone.localdate(timezone=tz)
    purge_records(organization)
    admin = next(person for person in people.values() if person.is_account_admin)
    families = _build_families(organization, people, today)
    runs = []
    for spec in AGREEMENTS.get(organization.name, []):
        agreement = _build_agreement(organization, spec, people, admin, today, tz)
        if "weekday" in spec:
            runs.append((spec, _schedule_pair(agreement, spec, today, tz)))
    for spec in GROUPS.get(organization.name, []):
        group = RSCGroup.objects.create(
            organization=organization, name=spec["name"], facilitator=people[spec["facilitator"]]
        )
        group.members.set([people[email] for email in spec["members"]])
        runs.append((spec, _schedule_group(group, spec, today, tz)))
    _play_out(runs, people, families, now=timezone.now())


def _build_families(organization, people, today) -> dict[str, Family]:
    families = {}
    for spec in FAMILIES.get(organization.name, []):
        practitioners = [people[email] for email in spec["practitioners"]]
        opened_on = today - datetime.timedelta(days=spec["opened_days_ago"])
        closed = spec.get("closed_days_ago")
        family = Family.objects.create(
            organization=organization,
            code=spec["code"],
            context=spec["context"],
            opened_on=opened_on,
            closed_on=today - datetime.timedelta(days=closed) if closed is not None else None,
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
    return SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=people[spec["supervisor"]],
        supervisee=people[spec["supervisee"]],
        starts_on=starts_on,
        ends_on=today - datetime.timedelta(days=ends_days_ago) if ends_days_ago is not None else None,
        format=Format.INDIVIDUAL,
        cadence=Cadence.FORTNIGHTLY,
        usual_minutes=60,
        confidentiality_limits=organization.confidentiality_limits,
        supervisor_acknowledged_at=acknowledged,
        supervisee_acknowledged_at=(
            acknowledged + datetime.timedelta(days=1) if spec.get("supervisee_acknowledged", True) else None
        ),
        created_by=admin,
    )


def _schedule_pair(agreement, spec, today, tz) -> list[SupervisionSession]:
    first_day = max(agreement.starts_on, today - datetime.timedelta(weeks=WEEKS_BACK))
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    if agreement.ends_on is not None:
        last_day = min(last_day, agreement.ends_on)
    first_day = _next_weekday(first_day, spec["weekday"])
    if first_day > last_day:
        return []
    return scheduling.sessions_schedule(
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
        days = (scheduling.add_months(first, months) for months in range(12))
        return sum(day.weekday() >= 5 for day in days if day <= last_day)

    first_day = min((earliest + datetime.timedelta(days=offset) for offset in range(28)), key=weekend_count)
    sessions = scheduling.sessions_schedule(
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
            scheduling.session_update(
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


def _play_out(runs, people, families, *, now) -> None:
    """Turn freshly scheduled series into a believable history.

    Past sessions are held and signed with notes, except for the chosen
    cancellations and misses and, for each supervisor, the two most recent
    ones, which are held but still waiting for notes. Upcoming sessions get
    the practitioners' agenda items.
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
                # Older sessions reuse the notes, but never repeat a follow-up.
                entry = bank[index % len(bank)]
                notes_for[session.pk] = entry if index < len(bank) else {**entry, "follow_up": None}
        upcoming = [session for session in sessions if session.starts_at >= now and session.pk not in special]
        for session in sessions:
            action = special.get(session.pk)
            if action and action[0] == "cancel":
                _cancel(session, action, timeline, now=now)
            elif action and action[0] == "missed":
                _mark(session, Status.MISSED, people, None, timeline)
            elif session.starts_at < now:
                _mark(session, Status.HELD, people, notes_for.get(session.pk), timeline)
                if session.pk not in waiting:
                    _document(session, notes_for.get(session.pk), timeline, now=now)
        for items, session in zip(spec.get("agenda", []), upcoming, strict=False):
            for item in items:
                if len(item) == 3:  # a group: each member brings their own
                    author_email, code, text = item
                else:
                    code, text = item
                    author_email = spec["supervisee"]
                scheduling.agenda_add(
                    session=session, author=people[author_email], family=families.get(code), text=text
                )
    timeline.write()


def _supervisee(session) -> User:
    return session.participants.all()[0].user


def _cancel(session, action, timeline, *, now) -> None:
    _kind, reason, *who = action
    actor = _supervisee(session) if who == ["supervisee"] else session.supervisor
    scheduling.session_cancel(session=session, actor=actor, reason=reason)
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
    scheduling.session_record_attendance(
        session=session, actor=session.supervisor, status=status, attendance=attendance
    )
    when = session.ends_at + datetime.timedelta(minutes=15)
    timeline.events[session.pk, SessionEvent.Kind.HELD] = when
    timeline.events[session.pk, SessionEvent.Kind.MISSED] = when


def _document(session, notes, timeline, *, now) -> None:
    supervisor = session.supervisor
    signed_at = min(session.ends_at + datetime.timedelta(days=1, hours=2), now)
    if notes:
        scheduling.session_save_notes(
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
            item = scheduling.follow_up_add(
                session=session, actor=supervisor, text=wanted["text"], owner=owner, due_on=due_on, kind=wanted["kind"]
            )
            item.created_at = signed_at - datetime.timedelta(minutes=5)
            done_at = min(session.ends_at + datetime.timedelta(days=max(wanted["due_days"] - 1, 0), hours=3), now)
            item.done_at = done_at if wanted["done"] else None
            timeline.follow_ups.append(item)
    scheduling.session_sign(session=session, actor=supervisor)
    timeline.session(session.pk, "signed_at", signed_at)
    timeline.events[session.pk, SessionEvent.Kind.SIGNED] = signed_at


def demo_counts(organizations: Iterable[Organization]) -> dict[str, int]:
    organizations = list(organizations)
    return {
        "families": Family.objects.filter(organization__in=organizations).count(),
        "agreements": SupervisionAgreement.objects.filter(organization__in=organizations).count(),
        "groups": RSCGroup.objects.filter(organization__in=organizations).count(),
        "sessions": SupervisionSession.objects.filter(organization__in=organizations).count(),
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
    """Rebuild the volume organization: people, families, agreements and weekly sessions, with bulk inserts."""
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
        progress("Cleared the volume organization")

        admin, supervisor_ids, practitioner_ids = _volume_people(
            organization, supervisors, practitioners, password_hash
        )
        progress(f"{1 + supervisors + practitioners:,} people")

        families_of = _volume_families(organization, families, practitioner_ids, today, rng)
        progress(f"{families:,} families with children and caregivers")

        first_day = scheduling.add_months(today, -months)
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
                    supervisor_acknowledged_at=_at(first_day, 9, 0, tz) - datetime.timedelta(days=30),
                    supervisee_acknowledged_at=_at(first_day, 9, 0, tz) - datetime.timedelta(days=29),
                    created_by=admin,
                )
                for index, practitioner_id in enumerate(practitioner_ids)
            ],
        )
        series = _bulk(
            SessionSeries,
            [
                SessionSeries(organization=organization, frequency=SessionSeries.Frequency.WEEKLY)
                for _agreement in agreements
            ],
        )
        progress(f"{len(agreements):,} agreements")

        counts = _volume_sessions(
            agreements, series, families_of, first_day=first_day, last_day=last_day, tz=tz, now=now, rng=rng,
            progress=progress,
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


def _volume_families(organization, count, practitioner_ids, today, rng) -> list[list[tuple[int, str]]]:
    """Families spread evenly over the practitioners; returns each practitioner's (family id, code) pairs."""
    rows = []
    for index in range(count):
        opened_on = today - datetime.timedelta(days=rng.randint(30, 900))
        closed_on = None
        if rng.random() < 0.12:
            closed_on = min(today, opened_on + datetime.timedelta(days=rng.randint(60, 600)))
        rows.append(
            Family(
                organization=organization,
                code=_family_code(index),
                context=CONTEXTS[index % len(CONTEXTS)],
                opened_on=opened_on,
                closed_on=closed_on,
                created_by_id=practitioner_ids[index % len(practitioner_ids)],
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
    children, caregivers = [], []
    relationships = [Rel.MOTHER, Rel.MOTHER, Rel.FATHER, Rel.GRANDPARENT, Rel.FOSTER_PARENT, Rel.KIN]
    for family in rows:
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
    _bulk(Child, children)
    _bulk(Caregiver, caregivers)
    families_of = [[] for _id in practitioner_ids]
    for index, family in enumerate(rows):
        families_of[index % len(practitioner_ids)].append((family.pk, family.code))
    return families_of


def _volume_sessions(agreements, series, families_of, *, first_day, last_day, tz, now, rng, progress):
    """Weekly sessions for every agreement, written a chunk of practitioners at a time."""
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
        sessions, plans = [], []
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
        sessions = _bulk(SupervisionSession, sessions)
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
