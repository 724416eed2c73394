import gc
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsc.deidentify import (
    MAX_FINDINGS,
    MAX_PASSAGE,
    MAX_TEXT,
    Finding,
    code_looks_like_a_name,
    find_identifying,
    identifying_texts,
    looks_like_full_name,
)


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
        assert finding.text in text
        assert finding.text == finding.text.strip()
        assert finding.text.startswith(passage)
    texts = identifying_texts(text)
    assert len(texts) == len(set(texts))
    assert {finding.text for finding in findings} <= set(texts)
    assert all(exact in text for exact in texts)


def test_a_finding_keeps_the_exact_text_it_points_at():
    street = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Street"
    text = f"They live at {street} now, with Maria Gonzalez."
    address, name = find_identifying(text)
    assert address.text == street
    assert address.passage != street
    assert name.text == name.passage == "Maria Gonzalez"
    for finding in (address, name):
        assert finding.text in text
        assert finding.text.startswith(finding.passage.removesuffix("…"))


def test_identifying_texts_are_exact_in_reading_order_without_repeats():
    # Both addresses cut to the same passage, so they make one finding, but each is a text of its own.
    street = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Street"
    road = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Road"
    text = f"Call 612-555-0147 (or 612-555-0147) at {street} or {road}; ask for Maria Gonzalez."
    assert identifying_texts(text) == ["612-555-0147", street, road, "Maria Gonzalez"]
    assert [finding.text for finding in find_identifying(text)] == ["612-555-0147", street, "Maria Gonzalez"]
    assert identifying_texts("Mom and K. came to the visit.") == []


def test_only_the_first_max_text_characters_are_read():
    assert found("x" * (MAX_TEXT - 20) + " 612-555-0147") == [("phone", "612-555-0147")]
    assert found("x" * MAX_TEXT + " 612-555-0147") == []


def test_findings_stop_at_max_findings():
    text = " ".join(f"Call 612-555-{number:04d}." for number in range(2 * MAX_FINDINGS))
    assert len(find_identifying(text)) == MAX_FINDINGS


def test_a_repeated_passage_counts_once_towards_max_findings():
    text = "Call 612-555-0147. " * (2 * MAX_FINDINGS) + "Ask for Maria Gonzalez."
    assert found(text) == [("phone", "612-555-0147"), ("full_name", "Maria Gonzalez")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # Two or more capitalized words and no digit read as a name, even "Blue Jay": strict on purpose, as
        # a code should hold a digit or be made of initials.
        ("Maria Lopez", True),
        ("  Jamal Washington ", True),
        ("Anna-Lise O'Brien", True),
        ("Lopez, Maria", True),
        ("Blue Jay", True),
        ("Little Bean", True),
        # A common first name next to another word, in any case.
        ("maria lopez", True),
        ("MARIA LOPEZ", True),
        ("JAMAL W", True),
        ("Rosa Park 3", True),
        ("maria_lopez", True),
        ("maria-lopez", True),
        ("lopez maria", True),
        ("o'brien maria", True),
        ("Fam 12 Hodan Ali", True),
        # Codes.
        ("F-102", False),
        ("Blue 7", False),
        ("Blue Jay 2", False),
        ("ML-4", False),
        ("JM-2", False),
        ("BLUE JAY", False),
        ("Bean", False),
        ("maria", False),
        ("Maria", False),
        ("Maria 2", False),
        ("maria-2", False),
        ("Maria2 Lopez2", False),
        # First names that are everyday words too are not on the list.
        ("rose garden 4", False),
        ("june bug", False),
        ("sky blue", False),
        ("may 12", False),
        ("", False),
        ("   ", False),
    ],
)
def test_a_family_code_can_look_like_a_name(code, expected):
    assert code_looks_like_a_name(code) is expected


# --- Time: every check stays linear -------------------------------------------------------------------

SECTION = 20_000  # the most a reflection section holds; a reflection has 8 of them
NOTES = 50_000  # the most session notes hold


def fill(size: int, unit: str, before: str = "", after: str = "") -> str:
    """`unit` repeated between `before` and `after`, to about `size` characters."""
    return before + unit * ((size - len(before) - len(after)) // len(unit)) + after


def best_of_3(text: str) -> float:
    return best_time(lambda: find_identifying(text))


def best_time(run) -> float:
    """The shortest of 3 runs. The garbage collector is off meanwhile, as in timeit: a collection of what
    earlier tests left behind would be timed too."""
    times = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return min(times)


# Texts made to be as slow as possible for each check, as (unit, before, after). Before the checks were
# made linear, these took longer than allowed for one 20,000-character section (best of 3, or one run):
#   phone: +111…1 repeated                        0.7 s: the international phone pattern tried every way
#                                                 to split the digits into groups
#   date: born, born on, DOB, d.o.b., date of     33 to 53 s each: the spaces before and after an optional
#   birth (and DOB with tabs, or a colon) then    ":" could split in every way, tried again for each way
#   spaces                                        the rest failed (quadratic)
#   address: unit and spaces, unit, spaces and #  5 to 13 s: the same, around an optional "#"
#   name: title and name                          0.23 s: each new match was compared with every one kept
#   name: many names; phone: many international   0.1 to 0.15 s: the same
#   numbers, one number many times; email: one
#   address many times; date: one date many
#   times; all kinds
# All others took 5 to 50 ms, and at 50,000 characters each took about 2.5 times as long as at 20,000,
# except the slow ones above, which grew with the square of the length (or worse).
ADVERSARIAL = [
    # Phone numbers.
    pytest.param("+" + "1" * 28 + " ", "", "", id="phone: +111…1 repeated"),
    pytest.param("+1 ", "", "", id="phone: +1 repeated"),
    pytest.param("+1", "", "", id="phone: +1+1+1"),
    pytest.param("1", "+", "", id="phone: + and digits"),
    pytest.param("+1(1)", "", "", id="phone: +1(1) repeated"),
    pytest.param("(1)", "", "", id="phone: (1) repeated"),
    pytest.param("(1) ", "", "", id="phone: (1) and spaces"),
    pytest.param("1 ", "", "", id="phone: digits and spaces"),
    pytest.param("1-", "", "", id="phone: digits and dashes"),
    pytest.param("1.", "", "", id="phone: digits and dots"),
    pytest.param("612-555-014", "", "", id="phone: almost a number"),
    pytest.param("+1 2 3 4 5 6 7 ", "", "", id="phone: many international numbers"),
    pytest.param("612-555-0147 ", "", "", id="phone: one number many times"),
    # Email addresses.
    pytest.param("a.", "", "@", id="email: a.a.a.…@"),
    pytest.param("a@", "", "", id="email: a@a@a@"),
    pytest.param(".b", "a@b", "", id="email: a@b.b.b.b"),
    pytest.param(".b1", "a@b", "", id="email: labels with digits"),
    pytest.param(".bb", "a@b", "_", id="email: no word boundary at the end"),
    pytest.param("a", "", "@", id="email: a long local part"),
    pytest.param("b", "a@", ".", id="email: a long domain"),
    pytest.param("a@b.co ", "", "", id="email: one address many times"),
    # Street addresses and post office boxes.
    pytest.param("1 Aa ", "", "", id="address: number and word"),
    pytest.param("1 Aa Aa Aa Aa Aa ", "", "", id="address: number and words"),
    pytest.param("1 1st ", "", "", id="address: ordinals"),
    pytest.param("1 W. ", "", "", id="address: initials"),
    pytest.param("1\t", "", "", id="address: digits and tabs"),
    pytest.param(" ", "1 Aa St, Apt", "x", id="address: unit and spaces"),
    pytest.param(" ", "1 Aa St Apt", "# x", id="address: unit, spaces and #"),
    pytest.param("a", "1 Aa St Apt ", "", id="address: a unit without digits"),
    pytest.param("PO Box ", "", "", id="address: PO Box repeated"),
    pytest.param("P.O. ", "", "", id="address: P.O. repeated"),
    pytest.param(" ", "PO", "Bo", id="address: PO and spaces"),
    # Full dates.
    pytest.param("1/1/", "", "", id="date: 1/1/1/"),
    pytest.param("1-1-", "", "", id="date: 1-1-1-"),
    pytest.param("1.1.", "", "", id="date: 1.1.1."),
    pytest.param("2023-", "", "", id="date: year first"),
    pytest.param("1/1/11 ", "", "", id="date: one date many times"),
    pytest.param("born ", "", "", id="date: born repeated"),
    pytest.param(" ", "born", "x", id="date: born and spaces"),
    pytest.param(" ", "born on", "x", id="date: born on and spaces"),
    pytest.param(" ", "DOB", "x", id="date: DOB and spaces"),
    pytest.param("\t", "DOB", "x", id="date: DOB and tabs"),
    pytest.param("    ", "DOB", ":  x", id="date: DOB, spaces and a colon"),
    pytest.param(" ", "d.o.b.", "x", id="date: d.o.b. and spaces"),
    pytest.param(" ", "date of birth", "x", id="date: date of birth and spaces"),
    pytest.param("Mar 1 ", "", "", id="date: month and day"),
    pytest.param("1 Mar ", "", "", id="date: day and month"),
    pytest.param("1 of Mar ", "", "", id="date: day of month"),
    pytest.param(" ", "Mar", "1", id="date: month and spaces"),
    pytest.param("a ", "", "", id="date: letters that start months"),
    # Full names.
    pytest.param("Aa ", "", "", id="name: capitalized words"),
    pytest.param("Aa-", "", "", id="name: hyphenated"),
    pytest.param("a'", "A", "1", id="name: apostrophes"),
    pytest.param("Aa\n", "", "", id="name: one word a line"),
    pytest.param("Aa's ", "", "", id="name: possessives"),
    pytest.param("Mr Aa ", "", "", id="name: title and name"),
    pytest.param("Dr. ", "", "", id="name: titles"),
    pytest.param("Aa Bb The ", "", "", id="name: many names"),
    pytest.param("Aa Bb Cc Dd The ", "", "", id="name: four words and a break"),
    pytest.param(". Aaaaing Bbbbb", "", "", id="name: sentences that open with -ing"),
    pytest.param("'", "", "Aaaaing", id="name: quotes before a word"),
    pytest.param(" ", "", "A", id="name: spaces before a word"),
    pytest.param("\u00a0", "", "Aaaaaaly Bb", id="name: no-break spaces before a word"),
    # Anything.
    pytest.param("1", "", "", id="digits"),
    pytest.param("A", "", "", id="capitals"),
    pytest.param("a", "", "", id="letters"),
    pytest.param(
        "Maria Gonzalez 612-555-0147 a@b.co 1420 Maple Street PO Box 1 born 3/14/2023 ", "", "", id="all kinds"
    ),
]


@pytest.mark.parametrize(("unit", "before", "after"), ADVERSARIAL)
def test_a_crafted_section_is_checked_quickly(unit, before, after):
    text = fill(SECTION, unit, before, after)
    assert best_of_3(text) < 0.050


@pytest.mark.parametrize(("unit", "before", "after"), ADVERSARIAL)
def test_crafted_session_notes_are_checked_quickly(unit, before, after):
    text = fill(NOTES, unit, before, after)
    assert best_of_3(text) < 0.100


def test_a_crafted_reflection_is_checked_quickly():
    """All 8 sections of a reflection at their largest, each made to be slow, one call each."""
    sections = [
        fill(SECTION, "+" + "1" * 28 + " "),
        fill(SECTION, " ", "born", "x"),
        fill(SECTION, " ", "1 Aa St, Apt", "x"),
        fill(SECTION, "Mr Aa "),
        fill(SECTION, "1 Aa Aa Aa Aa Aa "),
        fill(SECTION, "Mar 1 "),
        fill(SECTION, ". Aaaaing Bbbbb"),
        fill(SECTION, "a@"),
    ]
    assert best_time(lambda: [find_identifying(section) for section in sections]) < 8 * 0.050
