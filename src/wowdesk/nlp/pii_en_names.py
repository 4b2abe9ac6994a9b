"""People's names in an English message, from spaCy's PERSON entities and rules around them.

The small English model misses names from outside the English-speaking world («Tünde
Hoffmann», «Iva D. Grusová») and takes some capitalised words for names («Guilty
Pleasures», «Cyprus», «Russell Investments»). Around it:

- gazetteers: the US census first names and surnames (the `names` package) and a list of
  common given names of other languages (`data/first_names.txt`, written from general
  knowledge); a known first name followed by a capitalised word or a known surname is a name;
- shapes: a first word, an initial and a surname («Csanád P Gere»); a surname with a
  typical ending («-ová», «-ski», «-sson», «-dóttir», «-enko»…) after a capitalised word;
- cues: the words after «my name is», «Dear», «Mr.», «directed by», «says»…, the line
  after «Regards,» or «Thanks,» that holds only a name, and a list of
  capitalised words among known names («Efimiya, Mary and Jodi»); a known first name in
  lower case after «my name is», «this is», «i'm»; in all-lowercase chat, known first names
  in a list;
- the same word again: once «Asya Godina» is a name, «Asya» alone elsewhere is one too;
- filters: country names (babel's), a word followed by a company word («Thomas and
  Sons», «Aunt Bertha Inc») or a street's type («Marina Fort Street»), job titles in front
  («Producer Liviana Palerma»).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

Span = tuple[int, int]

_UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())
U = f"[{re.escape(_UPPER)}]"
WORD = rf"{U}[^\W\d_]+(?:[-'’]{U}?[^\W\d_]+)?"
CAP_WORD = re.compile(rf"(?<![\w'’]){WORD}(?![\w])")
# «Csanád P Gere», «Iva D. Grusová», «Margaret S. Stouffer»
WITH_INITIAL = re.compile(rf"(?<![\w'’]){WORD} {U}\.? {WORD}(?![\w])")
SURNAME_ENDING = re.compile(
    r"(?:ová|ski|ska|sky|cki|cka|wicz|vich|vić|ić|ov|ova|ev|eva|enko|chuk|escu|eanu|poulos"
    r"|idis|akis|oglu|oğlu|yan|dóttir|dottir|sson|ssen|sen|inen|berg|mann|stein)$"
)
POSSESSIVE = re.compile(r"['’]s$")
CUE = re.compile(
    r"(?:\bmy name is|\bname is|\bname's|\bname:|\bcall me|\bi'm called|\bdirected by:?"
    r"|\bwritten by|\bproduced by|\bstarring|\bsays|\bsaid|\basked|\bdear|\bmr\.?|\bmrs\.?"
    r"|\bms\.?|\bdr\.?|\bmiss|\bprof\.?|\bname\?|\bsincerely,?|\bregards,?|\badd)[ \t]+$",
    re.I,
)
# a letter's signature: the name alone on the line after «Regards,», «Thanks,», «Best,»
SIGNATURE = re.compile(
    r"(?i:\b(?:sincerely|regards|best|cheers|thanks|thank you|yours(?: truly)?)[,.!]?)[ \t]*\n"
    rf"[ \t]*({WORD}(?: {U}\.?)?(?: {WORD}){{0,2}})[ \t]*(?:\n|$)"
)
NAME_AFTER_CUE = re.compile(rf"{WORD}(?: {U}\.?(?!\w))?(?: {WORD}){{0,2}}")
LOWER_CUE = re.compile(r"\b(?i:my name is|call me|i'm|i am|this is) ([a-z]+)(?: ([a-z]+))?\b")
COMMON = frozenset(
    """
    The This That These Those There Then When Where What Which Who Why How Please Thanks Thank
    Hello Hi Hey Ok Okay Dear Yes No Not And But Or If My Your Our Their His Her Its We You They
    He She It Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
    April May June July August September October November December Street Avenue Road Apt Suite Unit
    Card Bank Account Phone Email Address Order Customer Support Service Help Team Office
    Name Website Personal Info Is Was Are In On At To For From With By Of As A An I Me
    """.split()  # noqa: SIM905
)
# first names that are also everyday English words: alone they are words
WORD_NAMES = frozenset(
    """
    will mark bill rose grace hope joy may june april august art faith dawn summer autumn
    chase hunter miles frank rich sky amber ruby crystal jade page dean king major lane case
    price young long white black brown green gray grey gay sunny holly ivy iris lily daisy
    penny ray rod guy pat sue don jack jean gene harry jerry terry carol christian else love
    an in my see so un many loan
    """.split()  # noqa: SIM905
)
# a name followed by one of these is a company's («Thomas and Sons», «Russell Investments»)
ORG = (
    r"(?:Inc|Incorporated|LLC|Ltd|Corp|Corporation|Co|Company|Group|Investments?|Holdings|Partners"
    r"|Associates|Sons|Brothers|Bros|Orchestra|Band|Foundation|University|Institute|Insurance"
    r"|Capital|Consulting|Solutions|Technologies|Systems|Labs?|Media|Records|Studios?"
    r"|Airlines|Motors|Bank|Trust|Fund|Hotels?|Ventures|Industries|International|Enterprises"
    r"|Services|Agency|Society|Club|Church|School|College|Hospital|Clinic|GmbH|AG|SA"
    r"|Pharmaceuticals|Software|Global)\b"
)
ORG_AFTER = re.compile(rf"^(?:(?:,|\s+and|\s+&)?\s+{WORD}){{0,3}}(?:,|\s+and|\s+&)?\s+{ORG}")
ORG_INSIDE = re.compile(rf"(?<![\w-]){ORG}")
# a name followed by a street's type names the street («shows on Marina Fort Street»)
STREET_AFTER = re.compile(
    r"^\s+(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.?|Lane|Drive|Square"
    r"|Terrace|Highway|Parkway|Crescent|Plaza)(?!\w)"
)
# and so does a candidate that ends in one («the Walmart on Main St?», «Jackson Ave»)
STREET_LAST = re.compile(r"\s(?:St|Ave|Rd|Blvd|Ln)$")
# what a bank's customers name that the model takes for a person («Do you accept
# Mastercard?» was «… accept [PERSON]?» in 46 of 10 003 BANKING77 questions)
NOT_PEOPLE = frozenset(
    """
    Mastercard MasterCard Mastecard Visa Maestro Amex Discover UnionPay JCB PayPal Venmo Zelle
    Revolut Monzo Payoneer Skrill MoneyGram SWIFT SEPA Euro Euros Dollar Dollars Pound Pounds
    Sterling Rouble Roubles Ruble Rubles Yen Yuan Renminbi Franc Francs Rupee Rupees Bitcoin
    America Europe EU Eu Asia Africa
    """.split()  # noqa: SIM905
)
NOT_PEOPLE_PHRASES = frozenset(
    ["American Express", "Apple Pay", "Google Pay", "Samsung Pay", "Western Union"]
)
# a sentence's end inside a candidate («from China. About how long…»); an initial's dot
# («Iva D. Grusová») is no end
SENTENCE_END = re.compile(r"(?<=[^\W\d_]{2})\.\s")
JOB_TITLES = frozenset(
    """
    Producer Director Manager President Chairman Chairwoman Senator Governor Mayor Judge
    Officer Agent Coach Captain Professor Doctor Nurse Minister Secretary Editor Writer Author
    Singer Actor Actress Artist Engineer Accountant Salesperson Uncle Aunt Sister Brother
    Father Mother Grandma Grandpa Saint Sir Lady Lord Queen Prince Princess Reverend Pastor
    Detective Sergeant Lieutenant Colonel General Admiral Chef Founder CEO CTO CFO COO
    """.split()  # noqa: SIM905
)


def _read_census(name: str) -> frozenset[str]:
    import names as census

    path = Path(census.__file__).parent / name
    return frozenset(
        line.split()[0].capitalize() for line in path.read_text().splitlines() if line.strip()
    )


@cache
def first_names() -> frozenset[str]:
    listed = Path(__file__).parent / "data" / "first_names.txt"
    other = [
        word
        for line in listed.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
        for word in line.split()
    ]
    return _read_census("dist.male.first") | _read_census("dist.female.first") | set(other)


@cache
def surnames() -> frozenset[str]:
    return _read_census("dist.all.last")


@cache
def countries() -> frozenset[str]:
    from babel import Locale

    return frozenset(Locale("en").territories.values())


def _cued(text: str, start: int) -> bool:
    return bool(CUE.search(text[max(0, start - 20) : start]))


def _gazetteer(text: str) -> list[Span]:
    """A known first name and the capitalised words after it (on one line)."""
    found: list[Span] = []
    words = list(CAP_WORD.finditer(text))
    i = 0
    while i < len(words):
        first = words[i]
        if first.group() in COMMON or first.group() not in first_names():
            i += 1
            continue
        end, j = first.end(), i + 1
        while (
            j < len(words)
            and j - i < 3
            and re.fullmatch(rf" (?:{U}\.? )?|\. ", text[end : words[j].start()])
            and words[j].group() not in COMMON
        ):
            end, j = words[j].end(), j + 1
        if j > i + 1:  # a known first name and capitalised words after it
            found.append((first.start(), end))
        elif _cued(text, first.start()) or (
            len(first.group()) >= 4 and first.group().lower() not in WORD_NAMES
        ):
            found.append((first.start(), first.end()))  # a first name alone is a name too
        i = max(j, i + 1)
    return found


def _shapes(text: str) -> list[Span]:
    found = [(m.start(), m.end()) for m in WITH_INITIAL.finditer(text)]
    for m in re.finditer(rf"(?<![\w'’]){WORD} ({WORD})(?![\w])", text):
        surname = POSSESSIVE.sub("", m.group(1))  # «Wisława Szczepańska's killers»
        if SURNAME_ENDING.search(surname) and m.group().split()[0] not in COMMON:
            found.append((m.start(), m.end()))
    for m in SIGNATURE.finditer(text):
        if m.group(1).split()[0] not in COMMON:
            found.append(m.span(1))
    for m in CAP_WORD.finditer(text):
        if _cued(text, m.start()):
            after = NAME_AFTER_CUE.match(text, m.start())
            if after and after.group().split()[0] not in COMMON:
                found.append((after.start(), after.end()))
    return found


def _lowercase(text: str) -> list[Span]:
    """All-lowercase chat: known first names in a list of two or more."""
    found: list[Span] = []
    known = first_names()
    for m in re.finditer(r"[a-z]+(?:(?:, | and | & )[a-z]+)+", text):
        items = list(re.finditer(r"[a-z]+", m.group()))
        items = [w for w in items if w.group() not in ("and",)]
        hits = [
            w
            for w in items
            if w.group().capitalize() in known
            and w.group() not in WORD_NAMES
            and len(w.group()) > 2
        ]
        if len(hits) >= 2:
            found += [(m.start() + w.start(), m.start() + w.end()) for w in hits]
    return found


def _lowercase_after_cue(text: str) -> list[Span]:
    """A known first name in lower case after «my name is», «this is», «i'm», in any text:
    a chat that capitalises its first word («Hi this is mike from accounting») is no more
    careful with the name."""
    known = first_names()
    return [
        (m.start(1), m.end(2) if _lower_surname(m.group(2)) else m.end(1))
        for m in LOWER_CUE.finditer(text)
        if m.group(1).capitalize() in known and m.group(1) not in WORD_NAMES
    ]


def _lower_surname(word: str | None) -> bool:
    """The census's surname after such a name («my name is john smith»), unless it is an
    everyday word the census also lists as a surname («john from…», «mike still…»): a
    surname left readable beside a masked name gives the person away all the same."""
    if word is None or word.capitalize() not in surnames() or word.capitalize() in COMMON:
        return False
    from spacy.lang.en.stop_words import STOP_WORDS  # only when such a pair is written

    return word not in STOP_WORDS and word not in WORD_NAMES


def _clean(text: str, start: int, end: int) -> Span | None:
    """A candidate cut to one line, without a title or a job in front and «'s» after; None
    where nothing of a name is left, or it is a country or a company."""
    end = start + len(text[start:end].split("\n")[0].rstrip())
    while True:
        m = re.match(rf"(?:(?:Mr|Mrs|Ms|Dr|Miss|Prof)\.?|{WORD})\s+", text[start:end])
        if m is None or (
            m.group().strip(" .") not in JOB_TITLES
            and m.group().strip(" .") not in ("Mr", "Mrs", "Ms", "Dr", "Miss", "Prof")
        ):
            break
        start += m.end()
    sentence_end = SENTENCE_END.search(text, start, end)
    if sentence_end:
        end = sentence_end.start()
    if text[end - 2 : end] in ("'s", "’s"):
        end -= 2
    if text[start:end].isupper():
        end = start + len(_known_in_capitals(text[start:end]))
    name = text[start:end]
    if (
        end <= start
        or (not any(c.isupper() for c in name) and name != name.lower())
        or all(w in COMMON or w in JOB_TITLES for w in name.split())
        or name in countries()
        or name in NOT_PEOPLE_PHRASES
        or any(word in NOT_PEOPLE for word in name.split())
        or ORG_AFTER.match(text[end:])
        or STREET_AFTER.match(text[end:])
        or STREET_LAST.search(name)
        or ORG_INSIDE.search(name)
    ):
        return None
    return start, end


def _known_in_capitals(name: str) -> str:
    """Of a candidate in capitals, a known first name and the known names after it: in a
    customer's shouting («CAN I SPEAK TO A REAL PERSON») or an acronym a capital says
    nothing about a name, and the census lists surnames such as «Can», «Real» and «Want»;
    «JOHN SMITH AND …» keeps «JOHN SMITH»."""
    known = ""
    for m in re.finditer(r"[^\W\d_]+(?:[-'’][^\W\d_]+)?", name):
        word = m.group().capitalize()
        if word in COMMON or word.lower() in WORD_NAMES:
            break
        if word not in first_names() and (not known or word not in surnames()):
            break
        known = name[: m.end()]
    return known


def _list_mates(text: str, taken: list[Span]) -> list[Span]:
    """«Efimiya, Mary, Ariana and Jodi»: capitalised words listed with two known names."""
    found: list[Span] = []
    for m in re.finditer(rf"{WORD}(?:(?:, |,? and |,? & ){WORD})+", text):
        items = [(m.start() + w.start(), m.start() + w.end()) for w in CAP_WORD.finditer(m.group())]
        covered = [i for i in items if any(s <= i[0] and i[1] <= e for s, e in taken)]
        rest = [i for i in items if i not in covered and text[i[0] : i[1]] not in COMMON]
        if len(covered) >= 2:
            found += rest
        elif covered:  # «Kadiev and Adams»: one found, the other a known name
            found += [i for i in rest if text[i[0] : i[1]] in surnames() | first_names()]
    return found


def _again(text: str, taken: list[Span]) -> list[Span]:
    """A word of a found two-word name, alone elsewhere in the text, is the same person."""
    words = {w for s, e in taken for w in text[s:e].split() if len(w) > 2 and w not in COMMON}
    found: list[Span] = []
    for word in words:
        for m in re.finditer(rf"(?<![\w'’]){re.escape(word)}(?![\w])", text):
            found.append(m.span())
    return found


def latin_names(text: str) -> list[Span]:
    """Names in Latin letters inside a message in another script («Отправьте почту на
    Ismail», «музыка от Aaron Carter»): the listed first names and the capitalised words
    after them, without the shapes and cues, which read English sentences."""
    return sorted({c for s, e in _gazetteer(text) if (c := _clean(text, s, e)) is not None})


def names(text: str, model_spans: Iterable[Span]) -> list[Span]:
    """Name spans, the longest where candidates overlap."""
    candidates = [*model_spans, *_gazetteer(text), *_shapes(text), *_lowercase_after_cue(text)]
    if text == text.lower():
        candidates += _lowercase(text)
    cleaned = [c for s, e in candidates if (c := _clean(text, s, e)) is not None]
    cleaned += [c for s, e in _list_mates(text, cleaned) if (c := _clean(text, s, e))]
    cleaned += [c for s, e in _again(text, cleaned) if (c := _clean(text, s, e))]
    chosen: list[Span] = []
    for start, end in sorted(set(cleaned), key=lambda s: (s[0] - s[1], s[0])):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
    return sorted(chosen)
