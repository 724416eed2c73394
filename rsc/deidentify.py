"""Gentle checks for identifying details in de-identified records.

Records name families by a code ("F-102"), children by initials or a label ("K.", "Baby J") and caregivers
by their role ("Mom", "Grandma"). `find_identifying` points out passages that look like they slipped past
that: a full name, a phone number, an email address, a street address or a full date (such as a birth
date). It is a hint for the writer, not a guarantee: it prefers missing an unusual case to nagging about
ordinary reflective writing.

The text is whatever a person typed (or pasted, or sent on purpose), up to the largest field, so every
check runs in time linear in its length. No pattern here can backtrack over its input more than a bounded
number of times: quantifiers are not nested, repeated parts that could match the same characters as what
follows them are possessive (`*+`, `++`), and where a shape is ambiguous (how the digits of a phone number
split into groups) a simple pattern finds the candidate and Python checks it. Patterns start by reading one
character of a small class (a digit, a capital, "+"), with the look at the character before it after that:
the search then skips in C every position that cannot start a match, rather than trying the pattern there.
"""

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from rsc.lib.first_names import FIRST_NAMES

# What each kind of finding is called; translated when a finding is made, in the reader's language.
DESCRIPTIONS = {
    "full_name": gettext_noop("a full name"),
    "email": gettext_noop("an email address"),
    "phone": gettext_noop("a phone number"),
    "birth_date": gettext_noop("a full date (such as a birth date)"),
    "address": gettext_noop("a street address"),
    # Only for short labels (label_is_a_first_name), never looked for in running text.
    "first_name": gettext_noop("a first name"),
}
MAX_PASSAGE = 60
# Only this many characters of a text are examined: more than the largest field (session notes hold up to
# 50,000), so a real text is read whole, while a crafted one cannot make a check run longer.
MAX_TEXT = 60_000
# At most this many different passages are pointed out in one text, and at most MAX_MATCHES matches (the
# same passage may come back many times) are kept. A writer fixes a handful at a time, and a text stuffed
# with thousands of matches would otherwise cost work (and a line on the page) for each. Once either is
# reached, the remaining checks are skipped, so the findings are then the first ones by kind of check, not
# necessarily the first in reading order.
MAX_FINDINGS = 50
MAX_MATCHES = 1_000


@dataclass(frozen=True)
class Finding:
    kind: str  # one of DESCRIPTIONS
    description: str  # translated, such as "a full name"
    passage: str  # the words in the text, trimmed, cut to MAX_PASSAGE characters with "…"
    # The same words, trimmed but never cut: what to look for when replacing the passage in a text.
    text: str = field(default="", compare=False, repr=False)


# A match: where it starts and ends in the text, and its kind.
type _Span = tuple[int, int, str]


# --- Email addresses ------------------------------------------------------------------------------------

# The only place that can give characters back is the run of ".label" parts, so that the last one can be
# read as the top-level domain; each step back costs one label, so the pattern stays linear.
_EMAIL = re.compile(r"[\w.+-](?<![\w.+-]{2})[\w.+-]*+@[\w-]++(?:\.[\w-]++)*\.[A-Za-z]{2,}+\b")


def _emails(text: str) -> Iterator[_Span]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "email"


# --- Phone numbers --------------------------------------------------------------------------------------

# Not glued to other digits, words or number punctuation on either side, so "F-102", "2019-2021",
# "14:30", "3/14", "$250-3000" and the parts of dates and ZIP+4 codes never start or end a phone number.
_NOT_AFTER = r"[\w+.\-/:$€£]"
_AFTER = r"(?![\w/:]|[.\-]\d)"
_AFTER_PHONE = re.compile(_AFTER)
# North American: "(612) 555-0147", "612-555-0147", "612.555.0147", "612 555 0147", "+1 612 555 0147".
# A fixed shape (no repetition beyond an optional character), so each try is a few steps.
_NORTH_AMERICAN = re.compile(
    rf"[+(\d](?<!{_NOT_AFTER}[+(\d])"
    # What the first character (read already, so that the search can skip all others) begins.
    r"(?:(?<=\+)1[ .-]?(?:\(\d{3}\) ?|\d{3}[ .-])"  # "+1 612 ", "+1 (612) "
    r"|(?<=1)[ .-]?(?:\(\d{3}\) ?|\d{3}[ .-])"  # "1 612 ", "1-612-"
    r"|(?<=\()\d{3}\) ?"  # "(612) "
    r"|(?<=\d)\d{2}[ .-])"  # "612 "
    r"\d{3}[ .-]\d{4}" + _AFTER
)
# International, starting with "+" and a country code: "+44 20 7946 0958", "+33 1 23 45 67 89". That is a
# country code of 1 to 3 digits, then 2 to 6 groups of 1 to 4 digits, each group maybe in brackets and
# maybe after one space, dot or dash. Written as one pattern, a long run of digits splits into groups in
# countless ways, and trying them all took seconds; so this finds the run of digits, brackets and single
# separators, and `_international_end` counts the groups it can hold. The lookahead first skips a "+" that
# is not followed by seven digits, cheaply, as most are.
_INTERNATIONAL = re.compile(
    rf"\+(?<!{_NOT_AFTER}\+)" + r"(?=\d(?:\)?+[ .-]?+\(?+\d){6})\d(?:[ .-]?+(?:\(\d{1,4}\)|\d))*+"
)
_PHONE_PART = re.compile(r"\(\d+\)|\d+")
_MAX_GROUPS = 6
# Local, seven digits with a dash: "555-0147". Exchanges never start with 0 or 1, so "100-1000" is not one.
_LOCAL = re.compile(rf"[2-9](?<!{_NOT_AFTER}[2-9])" + r"\d{2}-\d{4}" + _AFTER)


def _international_end(text: str, start: int, end: int) -> int | None:
    """Where the longest international number in text[start:end] ends, if one fits with 7 to 15 digits."""
    fewest = most = digits = 0  # how many groups the parts so far can be read as, and their digits
    found = None
    for i, part in enumerate(_PHONE_PART.finditer(text, start + 1, end)):
        length = part.end() - part.start()
        if text[part.start()] == "(":
            fewest, most, digits = fewest + 1, most + 1, digits + length - 2
        elif i == 0:  # the country code takes 1 to 3 of the first digits, groups take the rest
            fewest, most, digits = fewest + -(-max(0, length - 3) // 4), most + length - 1, length
        else:
            fewest, most, digits = fewest + -(-length // 4), most + length, digits + length
        if fewest > _MAX_GROUPS:
            break
        if most >= 2 and _AFTER_PHONE.match(text, part.end()):
            found = part.end() if 7 <= digits <= 15 else None
    return found


def _phones(text: str) -> Iterator[_Span]:
    # In this order, as the earlier kind wins where two overlap: "+44 555-0147" is one number, not a local
    # one. A North American number always has 10 or 11 digits and a local one 7, so only international
    # ones need counting.
    for m in _NORTH_AMERICAN.finditer(text):
        yield m.start(), m.end(), "phone"
    for m in _INTERNATIONAL.finditer(text):
        if end := _international_end(text, m.start(), m.end()):
            yield m.start(), end, "phone"
    for m in _LOCAL.finditer(text):
        yield m.start(), m.end(), "phone"


# --- Street addresses -----------------------------------------------------------------------------------

_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Terrace|Ter"
    r"|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Trail|Trl"
)
# A capitalized word or ordinal: "Maple", "W.", "5th". Possessive, since each one is always followed by a
# space or tab, which giving characters back could never produce.
_STREET_WORD = r"(?:[A-Z][\w'’-]*+\.?+|\d++(?:st|nd|rd|th))"
_STREET = re.compile(
    r"\d(?<![\w.,/-]\d)\d{0,5}+[A-Za-z]?+"  # the house number: "1420", "22", "5B"
    rf"[ \t]++{_STREET_WORD}"  # the first word of the name
    rf"(?:[ \t]++{_STREET_WORD}){{0,3}}?"  # up to three more
    rf"[ \t]++(?:{_STREET_TYPES})\b\.?"  # the street type: "Street", "St", "Ave."
    # "Apt 4B", "#12", "Suite 200": the unit holds a digit; before it, "[A-Za-z-]*+" stops at the first one.
    r"(?:,?+[ \t]*+(?:(?:Apt|Apartment|Unit|Suite|Ste)\.?+[ \t]*+#?+|#)[ \t]*+[A-Za-z-]*+\d[A-Za-z0-9-]*+)?"
)
_PO_BOX = re.compile(r"P(?<!\wP)\.?[ \t]?O\.?[ \t]*+Box[ \t]++\d++\b", re.IGNORECASE)


def _addresses(text: str) -> Iterator[_Span]:
    for pattern in (_STREET, _PO_BOX):
        for m in pattern.finditer(text):
            yield m.start(), m.end(), "address"


# --- Full dates -----------------------------------------------------------------------------------------

# The lookahead skips, cheaply, what cannot start the name of a month (its first three letters are
# one of each of these), before the alternatives are tried one by one.
_MONTH = (
    r"(?=[adfjmnos][aceopu][bcglnprtvy])"
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATES = [
    # Numbers: "03/14/2023", "3/14/23", "14.03.2023", "3-14-2023"; the two separators are the same.
    re.compile(r"(?P<a>\d(?<![\w./-]\d)\d?)(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\w/]|[.-]\d)"),
    # Year first: "2023-03-14", "2023/3/14".
    re.compile(r"(?P<y>\d(?<![\w./-]\d)\d{3})(?P<sep>[/-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})(?![\w/]|[.-]\d)"),
    # Month name first: "March 14, 2023", "Mar 14 2023", "March 14th, 2023".
    re.compile(rf"\b{_MONTH}[ \t]++{_DAY},?[ \t]++{_YEAR}\b", re.IGNORECASE),
    # Day first: "14 March 2023", "14th of March, 2023".
    re.compile(
        rf"(?P<day>\d(?<![\w./-]\d)\d?)(?:st|nd|rd|th)?[ \t]++(?:of[ \t]++)?{_MONTH},?[ \t]++{_YEAR}\b", re.IGNORECASE
    ),
]
# "born", "born on", "DOB:", "d.o.b." or "date of birth" just before a date belong to the passage. Matched
# backwards, on the reversed text, from the start of each date: searched forwards, the optional words would
# be tried at every position of the text, and the spaces around the colon split in many ways.
_BORN_REVERSED = re.compile(r"[ \t]*+:?+[ \t]*+(?:(?:no[ \t]++)?nrob|BOD|\.?b\.o\.d|htrib[ \t]++fo[ \t]++etad)\b", re.I)


def _is_day_and_month(a: str, b: str) -> bool:
    """Whether two numbers can be a day and a month, in either order."""
    first, second = int(a), int(b)
    return (1 <= first <= 12 and 1 <= second <= 31) or (1 <= second <= 12 and 1 <= first <= 31)


def _dates(text: str) -> Iterator[_Span]:
    reversed_text = None
    for pattern in _DATES:
        for m in pattern.finditer(text):
            parts = m.groupdict()
            plausible = 1 <= int(parts["day"]) <= 31 if "day" in parts else _is_day_and_month(parts["a"], parts["b"])
            if not plausible:
                continue
            if reversed_text is None:
                reversed_text = text[::-1]
            born = _BORN_REVERSED.match(reversed_text, len(text) - m.start())
            yield (len(text) - born.end() if born else m.start()), m.end(), "birth_date"


# --- Full names -----------------------------------------------------------------------------------------

# A word with its hyphens and apostrophes ("Anna-Lise", "O'Brien", "Gonzalez's"), not glued to digits, of
# two letters or more ("K" is an initial). Only words that can be capitalized: lowercase ASCII words, the
# commonest in any text, never start one.
_NAME_WORD = r"[^\W\d_a-z](?<![\w'’-][^\W\d_a-z])(?=[\w'’-])[^\W\d_]*+(?:['’-][^\W\d_]++)*+(?![\w'’-])"
_POSSESSIVES = ("'s", "’s")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
# Between two words of one name: spaces only (a comma, a full stop or a line break ends the name); after a
# title, a full stop may come too ("Dr. Patel").
_NAME_GAP = re.compile(r"(\.?[ \t\u00a0]++)")
_AFTER_TITLE = "|".join(rf"(?<=(?i:{title}))" for title in sorted(_TITLES))
# Two or more such words with such gaps between, none but the last with a possessive "'s" (which ends a
# name): only words in these can be part of a full name, so a text full of single capitalized words (or of
# numbers) costs no more than this one pattern. Python then looks at the words of each one.
_NAME_RUN = re.compile(rf"(?:{_NAME_WORD}(?<!['’]s)(?:(?:{_AFTER_TITLE})\.)?[ \t\u00a0]++)+{_NAME_WORD}")
# Before the first word of a sentence: what may come between it and the end of the sentence before.
_SENTENCE_OPENERS = frozenset(" \t\u00a0\"'“‘([-")
_SENTENCE_ENDS = frozenset(".!?:;\n\r")


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


def _starts_sentence(text: str, index: int) -> bool:
    """Whether the word at `index` is the first of a sentence, a line or the text."""
    # Each call walks back over the spaces and quotes before one word only, so all calls together read
    # each character at most once.
    index -= 1
    while index >= 0 and text[index] in _SENTENCE_OPENERS:
        index -= 1
    return index < 0 or text[index] in _SENTENCE_ENDS


def _opens_sentence(bare: str, lower: str, text: str, start: int) -> bool:
    """Whether the word at `start` reads as a verb or adverb that starts a sentence: "Watching Maria…" or
    "Honestly Maria…" hold one name, not two."""
    adverb = len(bare) >= 7 and lower.endswith("ly") and not lower.endswith("rly")
    return (lower.endswith("ing") or adverb) and _starts_sentence(text, start)


def _full_name(title: int, first: int, count: int, end: int) -> _Span | None:
    """A title and a surname ("Dr. Patel"), or a first and last name with at most one middle name, from a
    group of `count` name-like words that ends at `end`. Four or more name-like words in a row are more likely
    a heading or the name of a program."""
    if title >= 0 and 1 <= count <= 3:
        return title, end, "full_name"
    if title < 0 and 2 <= count <= 3:
        return first, end, "full_name"
    return None


def _names(text: str) -> Iterator[_Span]:
    for run in _NAME_RUN.finditer(text):
        # The words of a run in turn. Those that follow each other with only spaces between split into
        # groups: a title (or nothing) followed by name-like words, until another title or a word that is
        # not a name. A word in capitals ("JM") or not capitalized ("émile") breaks the run. As a text can
        # hold thousands of words, the loop keeps to plain variables and calls a function only to end a
        # group or at the start of a sentence.
        parts = _NAME_GAP.split(run.group())
        parts.append(" ")  # the gap after the last word
        position = run.start()
        title = first = -1  # where the title and the first name of the group start
        count = end = 0  # how many names the group has, and where the last ends (without "'s")
        joined = False  # whether the word joins the one before into one name
        for i in range(0, len(parts), 2):
            token, gap = parts[i], parts[i + 1]
            start = position
            position += len(token) + len(gap)
            possessive = token.endswith(_POSSESSIVES)
            bare = token[:-2] if possessive else token
            lower = bare.lower()
            capitalized = token[0].isupper() and any(map(str.islower, token))
            is_title = capitalized and lower in _TITLES
            name_like = capitalized and not is_title and len(bare) >= 2 and lower not in _NOT_NAMES
            if name_like and len(bare) >= 5 and lower.endswith(("ing", "ly")):
                name_like = not _opens_sentence(bare, lower, text, start)
            if not (joined and name_like):
                if count and (found := _full_name(title, first, count, end)):
                    yield found
                title, count = (start if is_title else -1), 0
            if name_like:
                if not count:
                    first = start
                count += 1
                end = start + len(bare)
            joined = capitalized and not possessive and (is_title or gap[0] != ".")
        if count and (found := _full_name(title, first, count, end)):
            yield found


# --- Putting it together --------------------------------------------------------------------------------

# Earlier detectors win where two matches overlap: an email address holds digits, a date holds dashes.
_DETECTORS = (_emails, _addresses, _dates, _phones, _names)


def _spans(text: str) -> list[_Span]:
    """The matches of all detectors that do not overlap an earlier one, in reading order."""
    kept: list[_Span] = []  # sorted, and never overlapping, so sorted by end too
    starts: list[int] = []  # the start of each, to find a place by bisection rather than by comparing all
    different: set[str] = set()
    for detector in _DETECTORS:
        for start, end, kind in detector(text):
            i = bisect_right(starts, start)
            if (i and kept[i - 1][1] > start) or (i < len(kept) and kept[i][0] < end):
                continue
            kept.insert(i, (start, end, kind))
            starts.insert(i, start)
            different.add(text[start:end].strip())
            if len(different) >= MAX_FINDINGS or len(kept) >= MAX_MATCHES:
                return kept
    return kept


def _passage(text: str) -> str:
    if len(text) <= MAX_PASSAGE:
        return text
    return text[: MAX_PASSAGE - 1].rstrip() + "…"


def shown_as(exact: str) -> str:
    """How an exact passage (from identifying_texts) is shown in a warning, and so kept."""
    return _passage(exact.strip())


def find_identifying(text: str) -> list[Finding]:
    """Findings in reading order, no duplicates of the same passage."""
    text = text[:MAX_TEXT]
    findings, seen = [], set()
    for start, end, kind in _spans(text):
        exact = text[start:end].strip()
        passage = _passage(exact)
        if passage and passage not in seen:
            seen.add(passage)
            description = gettext(DESCRIPTIONS[kind])
            findings.append(Finding(kind=kind, description=description, passage=passage, text=exact))
    return findings


def identifying_texts(text: str) -> list[str]:
    """The exact passages that look identifying, uncut, in reading order, without duplicates."""
    text = text[:MAX_TEXT]
    exact = (text[start:end].strip() for start, end, _ in _spans(text))
    return list(dict.fromkeys(passage for passage in exact if passage))


def looks_like_full_name(label: str) -> bool:
    """For short labels (e.g. a child's label field): True when the whole label reads like a first and last name."""
    label = label.strip()
    return any(start == 0 and end == len(label) for start, end, _ in _names(label))


def label_is_a_first_name(label: str) -> bool:
    """For a short label (a child's or a caregiver's): True when the whole label is a common first name
    ("Sofia", "jamal."), which identifies more than initials or a nickname ("K", "Bean", "Baby J") do."""
    return label.strip().strip(".,;:!?'’\"").strip().lower() in FIRST_NAMES


# --- Family codes ---------------------------------------------------------------------------------------

# A word of a family code: letters and digits, with apostrophes inside ("O'Brien"). Hyphens, dots,
# underscores and spaces separate words, so "maria-lopez" and "maria_lopez" are two.
_CODE_WORD = re.compile(r"[^\W_]++(?:['’][^\W_]++)*+")
# A capitalized word of a code: "Maria", "O'Brien", "Anna-Lise", "McKay", maybe with a full stop or comma.
_CAPITALIZED = re.compile(r"[^\W\d_]++(?:['’-][^\W\d_]++)*+[.,]?")


def _is_capitalized(word: str) -> bool:
    return bool(_CAPITALIZED.fullmatch(word)) and word[0].isupper() and any(map(str.islower, word))


def code_looks_like_a_name(code: str) -> bool:
    """Whether a family code reads as a person's name rather than a code such as "F-102", "Blue 7" or "JM-2".

    It does when it is two or more capitalized words and no digit ("Maria Lopez", "Lopez, Maria", and also
    "Blue Jay": a code holds a digit or is made of initials), or when a common first name stands next to
    another word in any case ("maria lopez", "JAMAL W", "Rosa Park 3").
    """
    code = code.strip()
    words = code.split()
    if len(words) >= 2 and not any(map(str.isdigit, code)) and all(map(_is_capitalized, words)):
        return True
    parts = _CODE_WORD.findall(code)
    is_word = [part.replace("'", "").replace("’", "").isalpha() for part in parts]
    for i, part in enumerate(parts):
        next_to_a_word = (i > 0 and is_word[i - 1]) or (i + 1 < len(parts) and is_word[i + 1])
        if is_word[i] and next_to_a_word and part.lower() in FIRST_NAMES:
            return True
    return False
