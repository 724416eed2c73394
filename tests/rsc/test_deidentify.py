import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsc.deidentify import MAX_PASSAGE, Finding, find_identifying, looks_like_full_name


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.passage) for finding in find_identifying(text)]


@pytest.mark.parametrize(
    ("text", "kind", "passage"),
    [
        # Full names, with a title, with hyphens and apostrophes, and beyond ASCII.
        ("Maria Gonzalez said the baby slept poorly.", "full_name", "Maria Gonzalez"),
        ("The new teacher, Emily Chen, noticed the bruise.", "full_name", "Emily Chen"),
        ("Jamal Washington came to the second visit.", "full_name", "Jamal Washington"),
        ("Anna-Lise O'Brien called about the move.", "full_name", "Anna-Lise O'Brien"),
        ("Mary Ann Smith is the foster parent now.", "full_name", "Mary Ann Smith"),
        ("Then Maria Gonzalez's sister arrived.", "full_name", "Maria Gonzalez"),
        ("Mrs Gonzalez was upset about the schedule.", "full_name", "Mrs Gonzalez"),
        ("I called Dr. Patel about the rash.", "full_name", "Dr. Patel"),
        ("José Núñez picked her up from child care.", "full_name", "José Núñez"),
        # Phone numbers.
        ("Best reached at (612) 555-0147 after five.", "phone", "(612) 555-0147"),
        ("Her cell is 612-555-0147.", "phone", "612-555-0147"),
        ("Or try 612.555.0147 in the evening.", "phone", "612.555.0147"),
        ("Dad's number: +1 612 555 0147", "phone", "+1 612 555 0147"),
        ("Grandma's landline is 555-0147.", "phone", "555-0147"),
        ("The uncle in London: +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
        # Email addresses.
        ("Mom asked me to write to maria.g+visits@example.com instead.", "email", "maria.g+visits@example.com"),
        # Street addresses and post office boxes.
        ("They moved to 1420 Maple Street last month.", "address", "1420 Maple Street"),
        ("We met at 22 W. Lake St, Apt 4B, in the kitchen.", "address", "22 W. Lake St, Apt 4B"),
        ("Moved to 221 North Oak Avenue #12 in June.", "address", "221 North Oak Avenue #12"),
        ("Mail now goes to PO Box 118.", "address", "PO Box 118"),
        # Full dates, with or without a word saying it is a birth date.
        ("K. was born 03/14/2023 at home.", "birth_date", "born 03/14/2023"),
        ("DOB: 3/14/23", "birth_date", "DOB: 3/14/23"),
        ("Intake form dated 14.03.2023.", "birth_date", "14.03.2023"),
        ("Hospital discharge 2023-03-14, per Mom.", "birth_date", "2023-03-14"),
        ("Born March 14, 2023, at 34 weeks.", "birth_date", "Born March 14, 2023"),
        ("She was born on 14 March 2023.", "birth_date", "born on 14 March 2023"),
        ("Date of birth Mar 14 2023.", "birth_date", "Date of birth Mar 14 2023"),
    ],
)
def test_identifying_details_are_found(text, kind, passage):
    assert found(text) == [(kind, passage)]


@pytest.mark.parametrize(
    "text",
    [
        "K. was 14 months and crawled to Mom when the door slammed.",
        "We met on Tuesday at Head Start; the visit ran 45 minutes.",
        "Mom has been worried since March 2024 about the eviction notice.",
        "I wonder what the baby learned about relationships from this.",
        "Part C referral pending, see follow-up from 3/14.",
        "F-102 moved twice in 2023 – 2024.",
        "At 2:30 the baby woke.",
        "Then Grandma came in.",
        "Holding the Baby in Mind felt hard today.",
        "The Parallel Process showed up in supervision again.",
        "Our Reflective Alliance feels stronger after 3 visits.",
        "Maria said she was tired; the baby was 9 months old.",
        "Early Head Start called about the waitlist on March 14.",
        "Child Protective Services closed the case in 2019–2021.",
        "Dad walked down the street with Baby J at 14:30.",
        "The NICU stay lasted 3 weeks, from 10-12 days old.",
        "Mom scored 12/30 on the screener and once called 911.",
        "We used Zoom because Grandpa was sick.",
        "Noticing Maria's face, I slowed down.",
        "Honestly Maria seemed relieved when Auntie Rose left.",
        "She watches Daniel Tiger and Peppa Pig every morning.",
        "They drove to Saint Paul and Brooklyn Park for WIC.",
        "The Family Story came up again; Use of Self was our focus.",
        "Visit #3 in Room 204; rent went from $850-1200; ages 0-3.",
        "After Christmas Eve, the family moved to Minnesota.",
        "She counted 3 street lights on the way to the bus.",
        "Between 2020 and 2022 they moved 4 times.",
        "She turns 3 on March 14, and Mom is planning a party.",
        "Social Security and Medicaid paperwork is overdue.",
        "The Family Court hearing is next Tuesday at 9:15.",
        "Ms. K. said the baby cried for 20 minutes.",
        "JM-2 and F-102 both had ASQ-3 scores in the typical range at 6, 12 and 18 months.",
    ],
)
def test_ordinary_reflective_writing_is_not_flagged(text):
    assert found(text) == []


def test_findings_come_in_reading_order_without_repeats():
    text = "Call 612-555-0147 (ask for Maria Gonzalez) or 612-555-0147, or write to m.g@example.org."
    assert found(text) == [
        ("phone", "612-555-0147"),
        ("full_name", "Maria Gonzalez"),
        ("email", "m.g@example.org"),
    ]


def test_findings_describe_themselves():
    assert find_identifying("Seen by Dr. Patel on 2023-03-14.") == [
        Finding(kind="full_name", description="a full name", passage="Dr. Patel"),
        Finding(kind="birth_date", description="a full date (such as a birth date)", passage="2023-03-14"),
    ]


def test_a_long_passage_is_cut():
    street = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Street"
    [finding] = find_identifying(f"They live at {street} now.")
    assert finding.kind == "address"
    assert len(finding.passage) == MAX_PASSAGE
    assert finding.passage.endswith("…")
    assert street.startswith(finding.passage[:-1])


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Maria Lopez", True),
        ("  Jamal Washington ", True),
        ("Mary Ann Smith", True),
        ("Dr. Patel", True),
        ("K", False),
        ("K.", False),
        ("Baby K", False),
        ("Bean", False),
        ("Little Bean", False),
        ("JM-2", False),
        ("Mom", False),
        ("Auntie Rose", False),
        ("maria lopez", False),
        ("Maria", False),
        ("Maria Lopez 2", False),
    ],
)
def test_a_label_can_look_like_a_full_name(label, expected):
    assert looks_like_full_name(label) is expected


# Pieces that set off the detectors, so that random text often holds something to find.
FRAGMENTS = [
    "Maria Gonzalez",
    "Dr. Patel",
    " ",
    "\n",
    ", ",
    ".",
    "612-555-0147",
    "+44 20 7946 0958",
    "a@b.co",
    "1420 Maple Street",
    "PO Box 1",
    "born 3/14/2023",
    "March 14, 2023",
    "Mom",
    "Then",
    "5",
    "-",
    "/",
    "#",
]
TEXT = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=12).map("".join) | st.text()


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_findings_are_always_passages_of_the_text(text):
    findings = find_identifying(text)
    passages = [finding.passage for finding in findings]
    assert len(passages) == len(set(passages))
    for finding in findings:
        assert finding.kind in {"full_name", "phone", "email", "address", "birth_date"}
        passage = finding.passage.removesuffix("…") if len(finding.passage) == MAX_PASSAGE else finding.passage
        assert passage
        assert passage in text
        assert passage == passage.strip()
