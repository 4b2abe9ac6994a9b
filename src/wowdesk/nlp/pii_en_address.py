"""Street addresses in Latin (and Greek) script: US, British and continental European forms.

A customer writing in English gives an address in the form of the country it is in: «221
Baker Street, Apt. 4B», «36 rue de Pologne», «Avenida Pedro Ulisses 888», «Populierenstraat
374», «Kaarikatu 32», «PSC 7951, Box 9972 APO AA 69974». What is masked is the street
address: the street with its house number, the apartment or suite before or after it, and
the town, region and postcode written after it. A city, a country or a postcode alone is
left: alone they point at no one (the same rule as for Russian cities).

The rules, each one general:

- a house number, a street name and a street type after it (USPS Publication 28 suffixes,
  «Street», «Road», «Prairie», «Harbor»…);
- a street type before the name (Rue, Avenida, Rua, Via, Calle, Λεωφόρος…) and a number
  before or after it;
- a compound whose ending names a street («-straße», «-straat», «-gasse», «-vej», «-vägen»,
  «-katu», «-tie», «-utca»…) and a number after it;
- capitalised words and a number after them where a cue says an address follows («lives
  at», «address is», «sent to», «located at»…) or where an apartment or suite follows;
- «the corner of X and Y», PO boxes, and US military addresses (PSC/Unit, APO/FPO/DPO);
- in lower case, where capitals say nothing: a house number before a compound street name
  or before words and a street type that is seldom an ordinary word («2407 tawastintie 6»,
  «221 baker street»), and a compound after a cue («i live at tawastintie 6»);
- a block quoted or listed with marks on each line («> », «• », «??? ») joins its lines as
  an unmarked one does.
"""

from __future__ import annotations

import re

# capital letters of the Latin and Greek alphabets, for «a capitalised word» in a regex
_UPPER = "".join(chr(c) for c in range(0x41, 0x400) if chr(c).isupper()) + "∆"
CAP = rf"[{re.escape(_UPPER)}][^\W\d_]*(?:['’.-][^\W\d_]+)*\.?"
# words that join a street's name without a capital: «Rue de Virton», «Jiřího z Poděbrad»
JOIN = (
    r"(?:de|del|della|delle|dei|degli|di|da|do|dos|das|du|des|la|le|les|el|al|van|von|der"
    r"|den|ter|te|z|ze|e|y|i|et|und|am|an|im|auf|zum|zur|ibn|bin|ben|os|na|nad|pod|sur)"
)
# a house number ends where its word ends: «Alice 5th» holds none
NUM = r"\d{1,6}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?(?![^\W_])"
# USPS Publication 28 street suffixes (and their usual abbreviations), British ones beside
SUFFIXES = """
Street St Avenue Ave Av Road Rd Boulevard Blvd Lane Ln Drive Dr Court Ct Place Pl
Square Sq Way Terrace Ter Highway Hwy Parkway Pkwy Circle Cir Trail Trl Alley Aly
Crescent Cres Close Plaza Loop Row Walk Path Pike Run Point Pt Ridge Hill Hills View
Gardens Gdns Grove Grv Mews Green Parade Rise Vale Wharf Quay Embankment Causeway
Bypass Broadway Expressway Expy Freeway Fwy Turnpike Tpke Route Rte Bridge Brg Harbor
Harbour Hbr Heights Hts Junction Jct Landing Lndg Meadow Meadows Mdws Mill Mills
Orchard Park Pass Passage Prairie Ranch Shore Shores Spring Springs Spur Station Sta
Summit Smt Valley Vly Village Vlg Ville Vista Vis Creek Crk Crossing Xing Estate
Estates Est Fork Forks Ford Fort Ft Glen Gln Haven Hvn Hollow Holw Island Isle Key
Knoll Knolls Lake Lakes Manor Mnr Mount Mt Mountain Mtn Neck Oval Pines Port Prt Ramp
Shoal Skyway Stream Track Trace Trafficway Tunnel Underpass Union Unions Via Viaduct
Well Wells Extension Ext Cove Cv Canyon Cyn Cape Cpe Center Ctr Centre Circus Corner
Cor Corners Dale Dam Divide Flat Flats Falls Field Fields Gateway Greens Hill Inlet
Light Lights Lock Locks Lodge Loaf Motorway Plain Plains Radial Rapids Rest Ridges
River Riv Shoals Squares Throughway Trailer Turn Wall Ways Wynd Bayou Beach Bend Bluff
Bluffs Bottom Branch Brook Brooks Burg Burgs Camp Cliff Cliffs Club Commons Courts Coves
Crest Curve Ferry Forest Forge Forges Garden Harbors Islands Junctions Keys Mall Manors
Mission Mountains Overpass Parks Pine Ports Rapid Stravenue Streets Trails Valleys Views
Villages Walks
""".split()  # noqa: SIM905
STREET_SUFFIX = r"(?:" + "|".join(sorted(set(SUFFIXES), key=len, reverse=True)) + r")\b\.?"
# street types written before the name, in the languages of Europe and Latin America
PREFIXES = """
Rue Avenue Av Avenida Avda Rua Calle C/ Carrer Camino Paseo Plaza Ronda Travesía Via
Viale Vicolo Piazza Piazzetta Piazzale Largo Corso Strada Contrada Lungomare Travessa
Praça Alameda Estrada Rodovia Boulevard Bd Bld Chemin Allée Impasse Place Quai Route
Cours Ulica Ul Aleja Calea Strada Str Odos Leoforos Plateia Οδός Οδος Λεωφόρος Λεωφ
Πλατεία Ulitsa Utca Caddesi Cad Sokak Sok Sokağı Avinguda Passeig Rambla
""".split()  # noqa: SIM905
STREET_PREFIX = (
    r"(?:" + "|".join(re.escape(p) for p in sorted(PREFIXES, key=len, reverse=True)) + r")\.?"
)
# endings of one-word street names: German, Dutch, Nordic, Finnish, Hungarian, Slavic…
COMPOUND_ENDINGS = """
straße strasse straat gasse gässchen weg wegen steig allee platz ring damm ufer graben
markt laan plein dreef kade gracht singel vej vænget gade stræde vägen vagen gatan
gata gränd stigen backen torget torg veien vegen vei veg gata gate plass stien katu
tie kuja polku väylä tori rinne kaari utca út útja tér körút ulica cesta ulice nábřeží
náměstí iela gatvė prospektas tänav maantee põik puiestee
""".split()  # noqa: SIM905
COMPOUND = (
    rf"[{re.escape(_UPPER)}][^\W\d_]{{2,}}(?:"
    + "|".join(sorted(set(COMPOUND_ENDINGS), key=len, reverse=True))
    + r")\b"
)
SECONDARY = (
    r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Bldg|Building|Dept|Office|Lot"
    r"|Piso|Puerta|Bloco|Bloque|Escalera|Étage|Etage|Wohnung|Stock|Tür|Door)\.?\s*#?\s*[\w-]+"
    r"|#\s*\d+[A-Za-z]?"
)
# after the street: «St.»/«street» the generator or the writer adds, a quadrant («Pennsylvania
# Ave NW»), then apartments and suites
TAIL = (
    rf"(?:\s+(?i:street|st\.?|str\.))?(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W)\b\.?)?"
    rf"(?:,?[ \t]*\n?[ \t]*(?i:{SECONDARY})){{0,2}}"
)
NAME_WORD = rf"(?:{CAP}|{JOIN}(?=[ \t]))"
SP = r"[ \t]+"  # words of one street name stay on one line

# «216 Menzies Street», «11 Souterhead Road Gregersen Prairie», «7873 216 Menzies Street»
US_STREET = re.compile(
    rf"\b(?:\d{{1,6}}{SP})?{NUM}{SP}(?:[NSEW]\.?{SP}|(?:North|South|East|West){SP})?"
    rf"(?:{NAME_WORD}{SP}){{0,4}}{CAP}{SP}{STREET_SUFFIX}"
    rf"(?:{SP}{CAP}(?:{SP}{CAP})?{SP}{STREET_SUFFIX})?{TAIL}"
)
# «Avenida Pedro Ulisses 888», «2456 Rue de Virton 38», «36 rue de pologne», «C/ Señores
# Curas 88»; a number before or after is required (checked in `addresses`)
LOWER_WORD = r"[a-zà-ÿ][\w'’-]+"
# in lower case these are English words, no street type: «the place is 5 minutes away»,
# «sent via post 3 times»
ENGLISH_PREFIXES = r"(?-i:(?:place|route|via)\b)"
PREFIX_STREET = re.compile(
    rf"(?:\b\d{{1,6}}{SP})?(?:\b{NUM}{SP})?(?<![\w/])(?!{ENGLISH_PREFIXES})"
    rf"(?:{STREET_PREFIX}|(?-i:C/))"
    rf"(?:{SP}|(?<=/)[ \t]*)"
    rf"(?:(?:{CAP}|{JOIN}|{LOWER_WORD}){SP}){{0,5}}(?:{CAP}|{LOWER_WORD})"
    rf"(?:{SP}{NUM}(?![\d:.,]\d))?{TAIL}",
    re.I,
)
# «Populierenstraat 374», «85778 Nybyvägen 65», «Kaarikatu 32»
COMPOUND_STREET = re.compile(
    rf"(?:\b\d{{1,6}}{SP})?(?:{CAP}{SP}){{0,2}}{COMPOUND}{SP}{NUM}(?![\d:.,]\d){TAIL}"
)
# Typed in lower case: «2407 tawastintie 6», «221 baker street apt 4». Without capitals
# only the street types that are seldom ordinary words count («2 km walk», «by the way» and
# «10 min drive» have a number, words and a USPS suffix too), the words between are no
# function words, and the house number comes first.
LOWER_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|terrace|crescent|highway|hwy"
    r"|parkway|pkwy)\b\.?"
)
LOWER_NAME = (
    r"(?!(?:the|a|an|of|on|in|at|to|for|by|my|your|our|and|or|from|with|this|that|per|via"
    rf"|down|up|off|along|across|onto|into|over|near)\b|{LOWER_SUFFIX})[a-zà-ÿ][a-zà-ÿ'’-]+"
)
# «-ring» and «-gate» end English words too («during», «transferring», «delegate»)
LOWER_COMPOUND = (
    r"(?![a-zà-ÿ]*(?:ing|[aeiou]gate)\b)[a-zà-ÿ][a-zà-ÿ]{2,}(?:"
    + "|".join(sorted(set(COMPOUND_ENDINGS), key=len, reverse=True))
    + r")\b"
)
# capitalised words and a number, where something says an address follows
STRONG_CUE = (
    r"(?:live[sd]?|living|stay(?:s|ed|ing)?|located|situated|based|sent|send[ \t]+(?:it|them)"
    r"|ship(?:ped)?|deliver(?:ed)?|return(?:ed)?|moved|meet[ \t]+(?:me|you|us)|off|is|was)"
    r"[ \t]+(?:at|on|to|in)(?:[ \t]+the)?|address(?:[ \t]+is)?[ \t]*:?"
)
NOT_A_HOUSE_NUMBER = (
    r"[ \t]*(?i:%|percent|years?|months?|weeks?|days?|nights?|hours?|hrs?\b|minutes?|mins?\b"
    r"|seconds?|am\b|pm\b|kg|km|mi\b|euros?|dollars?"
    r"|usd|eur|gbp|times|items?|pcs|people|persons)"
)
# numbered places that are not streets: «meet me at Gate 5», «on Level 3», «at Terminal 2»
NOT_A_STREET = (
    r"(?!(?i:gate|terminal|level|platform|floor|page|step|stage|section|chapter|row|seat"
    r"|table|room|hall|door|exit|track|pier|dock|booth|stand|window|counter|version|season"
    r"|episode|part|day|week|year|round|iphone|windows|android|ios)\b)"
)
CUED_STREET = re.compile(
    # «return to Leon and Eyrarodda 66»: someone's name may come between the cue and the
    # street; «i live at tawastintie 6»: in lower case a street's own ending says it is one
    rf"(?i:\b(?:{STRONG_CUE}))[ \t]+(?:{CAP}[ \t]+and[ \t]+)?"
    rf"({NOT_A_STREET}(?:\d{{1,6}}{SP})?(?:{NAME_WORD}{SP}){{0,3}}(?:{CAP}|{LOWER_COMPOUND})"
    rf"{SP}{NUM}(?![\d:.,]\d|{NOT_A_HOUSE_NUMBER}){TAIL})"
    # after a bare «at»/«on» a one-word name needs a number before it
    rf"|(?i:\b(?:at|on))[ \t]+({NOT_A_STREET}(?:\d{{1,6}}{SP}{CAP}|{CAP}{SP}{NAME_WORD})"
    rf"(?:{SP}{NAME_WORD}){{0,2}}{SP}{NUM}(?![\d:.,]\d|{NOT_A_HOUSE_NUMBER}){TAIL})"
)
LOWER_STREET = re.compile(
    rf"\b\d{{1,6}}{SP}(?!{NOT_A_HOUSE_NUMBER})(?:{LOWER_COMPOUND}{SP}{NUM}(?![\d:.,]\d)"
    rf"|(?:{LOWER_NAME}{SP}){{0,2}}{LOWER_NAME}{SP}{LOWER_SUFFIX}){TAIL}"
)
# «353 Buerlia 227\n Apt. 391», «1593 Pagari 18 Suite 932»: a number, words, a number and a
# unit or a line break after them
NUMBERED_STREET = re.compile(
    rf"\b\d{{1,6}}{SP}(?:{NAME_WORD}{SP}){{0,3}}{CAP}{SP}{NUM}"
    rf"(?=,?[ \t]*\n?[ \t]*(?:{SECONDARY})|[ \t]*\n){TAIL}"
)
MILITARY = re.compile(
    r"\b(?:Unit|PSC|CMR|USNS|USS|USNV|USCGC)\s+[\w ,]{1,25}?\s*(?:DPO|FPO|APO)\s+(?:AA|AE|AP)"
    r"\s+\d{5}\b"
)
BOX = re.compile(
    r"\b(?:P\.?\s?O\.?\s+Box|Post\s?box|Post\s+Office\s+Box|Postfach|Apartado|Caixa\s+Postal"
    r"|Box)\s+\d{1,6}\b",
    re.I,
)
# the first street may hold a full stop that ends no sentence: «Asselsestraat 7 St. and»,
# «Csabai kapu 39. and», «St. Mary's Road and»
CORNER = re.compile(
    r"\b(?i:the\s+corner\s+of)\s+(?:[^.?!\n]|\.(?=[ \t]+(?i:and|&)\s)|(?<=\b[SMF]t)\.){3,60}?"
    rf"\s+(?i:and|&)\s+(?:{NAME_WORD}\s+){{0,3}}{CAP}(?:\s+{STREET_SUFFIX})?"
)
# «apt. 169» typed in lower case is still a flat; «office suite 365» is no door
UNIT_ALONE = re.compile(r"\b(?:(?i:apt|apartment)|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?\b")

# The lines after a street (a town, a region code, a country, a postcode; «nan» where a form
# had nothing) join it: an address written as a block is masked as one block.
# a British postcode: «NW1 6XE», «SW1A 1AA», «M1 1AE»
UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"
PLACE_BODY = (
    rf"(?:(?:{CAP}|{JOIN}|nan|\(\w+\))"
    rf"(?:[ \t]+(?:{UK_POSTCODE}|{CAP}|{JOIN}|\(\w+\)|\d{{4,6}}|\d{{3}}[ \t]\d{{2}}))*"
    rf"|\d{{3,6}}(?:[ \t]\d{{2,3}})?|{UK_POSTCODE})(?![\w-])"
)
PLACE_LINE = re.compile(rf"(?:,[ \t]*|[ \t]*\n[ \t\n]*(?:,[ \t]*)?){PLACE_BODY}")
PLACE_AFTER_COMMA = re.compile(rf",[ \t]*{PLACE_BODY}")
# A block quoted in a reply («> ») or written as a list («• », «- », «??? » where a mail
# client lost the bullet) carries the same marks on every line; its unit, town and postcode
# lines join the street as they do unmarked, and a line without the marks is the writer's.
LINE_MARKS = re.compile(r"[ \t]*(?:[>|?•·*-]+[ \t]*)+")
NEXT_LINE = re.compile(r"[ \t]*\n[ \t]*")
MARKED_LINE = re.compile(rf"[ \t]*(?:(?i:{SECONDARY})(?![\w-])|{PLACE_BODY})")


PATTERNS = (
    MILITARY,
    CORNER,
    BOX,
    NUMBERED_STREET,
    PREFIX_STREET,
    COMPOUND_STREET,
    US_STREET,
    LOWER_STREET,
)


def addresses(text: str) -> list[tuple[int, int]]:
    """Street-address spans, two that overlap joined into one; none without a digit (a
    street named with no number, «on Wall Street», points at no one's door)."""
    if not any(c.isdigit() for c in text):
        return []
    found: list[tuple[int, int]] = []
    for pattern in PATTERNS:
        found += [(m.start(), m.end()) for m in pattern.finditer(text)]
    found = [s for s in found if any(c.isdigit() for c in text[s[0] : s[1]])]
    for m in CUED_STREET.finditer(text):
        group = 1 if m.start(1) >= 0 else 2
        found.append((m.start(group), m.end(group)))
    found += [(m.start(), m.end()) for m in UNIT_ALONE.finditer(text)]
    # extended first, so that a street and the unit and town lines after it are one block
    # that no shorter find inside it can split; a unit written before the street («apartment
    # 4B, 350 Fifth Avenue») reaches into it and the two are one address
    blocks = sorted(
        {(start, _with_place(text, start, _strip(text, start, end))) for start, end in found}
    )
    chosen: list[tuple[int, int]] = []
    for start, end in blocks:
        if chosen and start < chosen[-1][1]:
            chosen[-1] = (chosen[-1][0], max(end, chosen[-1][1]))
        else:
            chosen.append((start, end))
    return chosen


def _with_place(text: str, start: int, end: int) -> int:
    marks = _line_marks(text, start)
    for _ in range(5):
        if marks:
            m = PLACE_AFTER_COMMA.match(text, end) or _marked_line(text, end, marks)
        else:
            m = PLACE_LINE.match(text, end)
        if m is None:
            break
        end = m.end()
    return end


def _line_marks(text: str, start: int) -> str:
    """The quote or bullet marks before the street on its line, «» where there are none."""
    line_start = text.rfind("\n", 0, start) + 1
    marks = text[line_start:start]
    return marks.strip() if marks and LINE_MARKS.fullmatch(marks) else ""


def _marked_line(text: str, end: int, marks: str) -> re.Match[str] | None:
    """The next line's unit, town or postcode where that line starts with the same marks."""
    line = NEXT_LINE.match(text, end)
    if line is None:
        return None
    if not text.startswith(marks, line.end()):
        return None
    return MARKED_LINE.match(text, line.end() + len(marks))


def _strip(text: str, start: int, end: int) -> int:
    """Spaces and commas off the end, and a full stop after a whole word («Road.» ends a
    sentence, «Rd.» and «Blvd.» are abbreviations)."""
    while end > start and text[end - 1] in " \t\n,":
        end -= 1
    if text[end - 1 : end] == ".":
        word = re.search(r"[^\W\d_]+$", text[start : end - 1])
        if word and len(word.group()) >= 4 and re.search("[aeiouy]", word.group(), re.I):
            end -= 1
    return end
