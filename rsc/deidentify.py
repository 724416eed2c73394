"""Gentle checks for identifying details in de-identified records.

Records name families by a code ("F-102"), children by initials or a label ("K.", "Baby J") and caregivers
by their role ("Mom", "Grandma"). `find_identifying` points out passages that look like they slipped past
that: a full name, a phone number, an email address, a street address or a full date (such as a birth
date). It is a hint for the writer, not a guarantee: it prefers missing an unusual case to nagging about
ordinary reflective writing.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

# What each kind of finding is called; translated when a finding is made, in the reader's language.
DESCRIPTIONS = {
    "full_name": gettext_noop("a full name"),
    "email": gettext_noop("an email address"),
    "phone": gettext_noop("a phone number"),
    "birth_date": gettext_noop("a full date (such as a birth date)"),
    "address": gettext_noop("a street address"),
}
MAX_PASSAGE = 60


@dataclass(frozen=True)
class Finding:
    kind: str  # one of DESCRIPTIONS
    description: str  # translated, such as "a full name"
    passage: str  # the words in the text, trimmed, cut to MAX_PASSAGE characters with "…"


# A match: where it starts and ends in the text, and its kind.
type _Span = tuple[int, int, str]


# --- Email addresses ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")


def _emails(text: str) -> list[_Span]:
    return [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]


# --- Phone numbers --------------------------------------------------------------------------------------

# Not glued to other digits, words or number punctuation on either side, so "F-102", "2019-2021",
# "14:30", "3/14", "$250-3000" and the parts of dates and ZIP+4 codes never start or end a phone number.
_BEFORE = r"(?<![\w+.\-/:$€£])"
_AFTER = r"(?![\w/:]|[.\-]\d)"
_PHONES = [
    # North American: "(612) 555-0147", "612-555-0147", "612.555.0147", "612 555 0147", "+1 612 555 0147".
    re.compile(_BEFORE + r"(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}" + _AFTER),
    # International, starting with "+" and a country code: "+44 20 7946 0958", "+33 1 23 45 67 89".
    re.compile(_BEFORE + r"\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}" + _AFTER),
    # Local, seven digits with a dash: "555-0147". Exchanges never start with 0 or 1, so "100-1000" is not one.
    re.compile(_BEFORE + r"[2-9]\d{2}-\d{4}" + _AFTER),
]


def _phones(text: str) -> list[_Span]:
    found = []
    for pattern in _PHONES:
        for m in pattern.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if 7 <= digits <= 15:
                found.append((m.start(), m.end(), "phone"))
    return found


# --- Street addresses -----------------------------------------------------------------------------------

_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl"
)
_STREET = re.compile(
    r"(?<![\w.,/-])\d{1,6}[A-Za-z]?"  # the house number: "1420", "22", "5B"
    r"(?:[ \t]+(?:[A-Z][\w'’-]*\.?|\d+(?:st|nd|rd|th)))"  # a capitalized word or ordinal: "Maple", "W.", "5th"
    r"(?:[ \t]+(?:[A-Z][\w'’-]*\.?|\d+(?:st|nd|rd|th))){0,3}?"  # up to three more
    rf"[ \t]+(?:{_STREET_TYPES})\b\.?"  # the street type: "Street", "St", "Ave."
    r"(?:,?[ \t]*(?:(?:Apt|Apartment|Unit|Suite|Ste)\.?[ \t]*#?|#)[ \t]*[A-Za-z0-9-]*\d[A-Za-z0-9-]*)?"  # "Apt 4B"
)
_PO_BOX = re.compile(r"\bP\.?[ \t]?O\.?[ \t]*Box[ \t]+\d+\b", re.IGNORECASE)


def _addresses(text: str) -> list[_Span]:
    matches = [*_STREET.finditer(text), *_PO_BOX.finditer(text)]
    return [(m.start(), m.end(), "address") for m in matches]


# --- Full dates -----------------------------------------------------------------------------------------

# "born", "DOB:", "date of birth", "d.o.b." before a date belong to the passage.
_BORN = r"(?:(?:\bborn(?:[ \t]+on)?|\bDOB|\bd\.o\.b\.?|\bdate[ \t]+of[ \t]+birth)[ \t]*:?[ \t]*)?"
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATES = [
    # Numbers: "03/14/2023", "3/14/23", "14.03.2023", "3-14-2023"; the two separators are the same.
    re.compile(
        _BORN + r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\w/]|[.-]\d)",
        re.IGNORECASE,
    ),
    # Year first: "2023-03-14", "2023/3/14".
    re.compile(
        _BORN + r"(?<![\w./-])(?P<y>\d{4})(?P<sep>[/-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})(?![\w/]|[.-]\d)",
        re.IGNORECASE,
    ),
    # Month name first: "March 14, 2023", "Mar 14 2023", "March 14th, 2023".
    re.compile(_BORN + rf"\b{_MONTH}[ \t]+{_DAY},?[ \t]+{_YEAR}\b", re.IGNORECASE),
    # Day first: "14 March 2023", "14th of March, 2023".
    re.compile(_BORN + rf"(?<![\w./-]){_DAY}[ \t]+(?:of[ \t]+)?{_MONTH},?[ \t]+{_YEAR}\b", re.IGNORECASE),
]


def _is_day_and_month(a: str, b: str) -> bool:
    """Whether two numbers can be a day and a month, in either order."""
    first, second = int(a), int(b)
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31)


def _dates(text: str) -> list[_Span]:
    found = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            parts = m.groupdict()
            plausible = 1 <= int(parts["day"]) <= 31 if "day" in parts else _is_day_and_month(parts["a"], parts["b"])
            if plausible:
                found.append((m.start(), m.end(), "birth_date"))
    return found


# --- Full names -----------------------------------------------------------------------------------------

# A word with its hyphens and apostrophes ("Anna-Lise", "O'Brien", "Gonzalez's"), not glued to digits.
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w'’-])")
_POSSESSIVE = re.compile(r"['’]s$")
# Between two words of one name: spaces only (a comma, a full stop or a line break ends the name).
_SPACES = re.compile(r"[ \t\u00a0]+")
# Between a title and a name, a full stop may come too: "Dr. Patel".
_TITLE_GAP = re.compile(r"\.?[ \t\u00a0]+")

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})


def _word_set(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


# Words often capitalized that are not names: in front of a name, they leave just one name ("Then Maria").
# Compared in lower case, without a possessive "'s".
_NOT_NAMES = _word_set(
    # Pronouns, sentence starters and other everyday words.
    "the a an this that these those there here it its i we you he she they me us him her them my our your his "
    "their who what when where why how which whose while whilst after before during then now today tonight "
    "yesterday tomorrow later earlier soon also and but or nor so yet because since although though if unless "
    "as at in on of for with without by from to into onto about over under around between through once again "
    "maybe perhaps still even just only both each every all some many most much more less few several other "
    "another any no not none yes ok okay please thanks thank hello hi dear oh well next last first second third "
    "finally sometimes often usually always never already afterwards instead meanwhile overall clearly nearly "
    "early really mostly hopefully luckily",
    # Days and months.
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december",
    # Family roles, the way records name people.
    "mom mommy mum mama dad daddy papa father mother parent parents grandma grandpa grandmother grandfather "
    "granny nana nanna abuela abuelo auntie aunt aunty uncle tia tio sister brother cousin baby babe infant "
    "toddler child children kid kids family families caregiver caregivers little big lil sweet",
    # Programs, systems and services: Head Start, Part C, Child Protective Services, Family Court, Zoom...
    "head start early part wic cps nicu picu er medicaid medicare zoom google facebook instagram microsoft "
    "teams meet protective services court social security department county state public school schools "
    "program programs center centre clinic hospital health mental care team group session sessions notes note "
    "visit visits plan summary supervision consultation supervisor consultant practitioner home office meeting "
    "agency",
    # Reflective practice (RIOS) terms: Parallel Process, Reflective Alliance, Holding the Baby in Mind...
    "parallel process reflective alliance holding mind story use self",
    # Holidays, faith, peoples and languages.
    "happy birthday merry christmas thanksgiving easter halloween new year day god christ lord allah "
    "american african native asian hispanic latino latina latinx black white indigenous mexican somali hmong "
    "spanish english ojibwe",
    # Places: parts of place names, states (but not those that are common names, like Washington or Virginia)
    # and nearby cities.
    "saint st san santa los las fort city cities twin grand north south east west grove valley rapids brooklyn "
    "prairie falls heights hills lake beach springs creek river harbor bay village island rhode "
    "alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho illinois "
    "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi "
    "missouri nebraska nevada hampshire jersey mexico york ohio oklahoma oregon pennsylvania tennessee texas "
    "utah vermont wisconsin wyoming minneapolis duluth rochester bloomington chicago "
    "street avenue road drive boulevard court way place terrace circle parkway highway",
    # Children's shows: Daniel Tiger, Peppa Pig, Mickey Mouse, Paw Patrol.
    "tiger pig mouse patrol",
)


def _name_words(text: str) -> list[list[re.Match]]:
    """Runs of capitalized words that follow each other with only spaces between."""
    runs: list[list[re.Match]] = []
    previous = None
    for word in _WORD.finditer(text):
        token = word.group()
        if not (token[0].isupper() and any(c.islower() for c in token)):
            previous = None
            continue
        if previous is not None:
            gap_pattern = _TITLE_GAP if _bare(previous).lower() in _TITLES else _SPACES
            gap = text[previous.end() : word.start()]
            joined = gap_pattern.fullmatch(gap) and not _POSSESSIVE.search(previous.group())
        else:
            joined = False
        if joined:
            runs[-1].append(word)
        else:
            runs.append([word])
        previous = word
    return runs


def _bare(word: re.Match) -> str:
    """The word without a possessive "'s"."""
    return _POSSESSIVE.sub("", word.group())


def _starts_sentence(text: str, index: int) -> bool:
    """Whether the word at `index` is the first of a sentence, a line or the text."""
    index -= 1
    while index >= 0 and text[index] in " \t\u00a0\"'“‘([-":
        index -= 1
    return index < 0 or text[index] in ".!?:;\n\r"


def _is_name_like(word: re.Match, text: str) -> bool:
    bare = _bare(word)
    if len(bare) < 2 or bare.lower() in _NOT_NAMES or bare.lower() in _TITLES:
        return False
    # At the start of a sentence, "Watching Maria…" or "Honestly Maria…" hold one name, not two.
    if _starts_sentence(text, word.start()) and len(bare) >= 5:
        lower = bare.lower()
        if lower.endswith("ing") or (len(bare) >= 7 and lower.endswith("ly") and not lower.endswith("rly")):
            return False
    return True


def _names(text: str) -> list[_Span]:
    found = []
    for run in _name_words(text):
        # Split the run into a title (or nothing) followed by name-like words.
        groups: list[tuple[re.Match | None, list[re.Match]]] = [(None, [])]
        for word in run:
            if _bare(word).lower() in _TITLES:
                groups.append((word, []))
            elif _is_name_like(word, text):
                groups[-1][1].append(word)
            else:
                groups.append((None, []))
        for title, names in groups:
            # A title and a surname ("Dr. Patel"), or a first and last name with at most one middle name.
            # Four or more capitalized words in a row are more likely a heading or the name of a program.
            if (title and 1 <= len(names) <= 3) or (not title and 2 <= len(names) <= 3):
                start = (title or names[0]).start()
                end = names[-1].start() + len(_bare(names[-1]))
                found.append((start, end, "full_name"))
    return found


# --- Putting it together --------------------------------------------------------------------------------

# Earlier detectors win where two matches overlap: an email address holds digits, a date holds dashes.
_DETECTORS = (_emails, _addresses, _dates, _phones, _names)


def _passage(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_PASSAGE:
        return text
    return text[: MAX_PASSAGE - 1].rstrip() + "…"


def find_identifying(text: str) -> list[Finding]:
    """Findings in reading order, no duplicates of the same passage."""
    kept: list[_Span] = []
    for detector in _DETECTORS:
        for start, end, kind in detector(text):
            if not any(start < other_end and other_start < end for other_start, other_end, _ in kept):
                kept.append((start, end, kind))
    findings, seen = [], set()
    for start, end, kind in sorted(kept):
        passage = _passage(text[start:end])
        if passage and passage not in seen:
            seen.add(passage)
            findings.append(Finding(kind=kind, description=gettext(DESCRIPTIONS[kind]), passage=passage))
    return findings


def looks_like_full_name(label: str) -> bool:
    """For short labels (e.g. a child's label field): True when the whole label reads like a first and last name."""
    label = label.strip()
    return any(start == 0 and end == len(label) for start, end, _ in _names(label))
