"""Undoes the tricks that hide a word from a keyword check: Latin letters inside a Cyrillic
word and back («cмc», «сvv»), digits and signs for letters («к0д», «p@ssword»), letters
spread out with dots or spaces («с.м.с», «к о д», «па-роль»), invisible characters.

Fraudsters (and a language model told to ask for a code) write «Назовите к0д из с.м.с»
exactly so that a filter looking for «код из смс» misses it. The secrets detector reads the
normalised text as well as the original. Each character of the result keeps the offset of
the character it came from, so a finding can still point into the text the person wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# letters drawn the same (or nearly) in both alphabets
LATIN_TO_CYRILLIC = dict(zip("aceopxykmthbu", "асеорхукмтнви", strict=True))
CYRILLIC_TO_LATIN = {c: lat for lat, c in LATIN_TO_CYRILLIC.items()}
# all-twin Latin spellings of the words a secret is called by: "cmc" in a Russian text
TWIN_WORDS = {"смс", "смску", "смска", "код", "кода", "коды", "кодом"}
# digits and signs written for letters, per alphabet
DIGITS_AS_CYRILLIC = {"0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с"}
DIGITS_AS_LATIN = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
# Russian words written in Latin letters ("kod iz sms")
TRANSLIT = {
    "kod": "код",
    "kody": "коды",
    "koda": "кода",
    "parol": "пароль",
    "parolj": "пароль",
    "smska": "смска",
    "smsku": "смску",
    "cifry": "цифры",
    "tsifry": "цифры",
    "pin-kod": "пин-код",
    "pinkod": "пинкод",
}

TOKEN = re.compile(r"[\w@$]+(?:[-'][\w@$]+)*", re.UNICODE)
# single letters joined by dots, spaces, underscores or stars: "с.м.с", "к о д", "s-m-s"
SPREAD = re.compile(r"(?<![\w@$])(?:[^\W\d_][ .*_\-]{1,2}){2,}[^\W\d_](?![\w@$])", re.UNICODE)
# a dot, star or underscore inside a word: "к.од", "па*роль"
INNER = re.compile(r"(?<=[^\W\d_])[.*_](?=[^\W\d_]{1,})", re.UNICODE)
CYR = re.compile(r"[а-яё]")
LAT = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the offset in the original."""

    text: str
    offsets: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.offsets:
            return 0, 0
        first = self.offsets[min(start, len(self.offsets) - 1)]
        last = self.offsets[min(max(end - 1, start), len(self.offsets) - 1)]
        return first, last + 1


def _drop(text: str, offsets: list[int], pattern: re.Pattern[str], keep: str = "") -> Normalised:
    """Removes the separators inside each match of `pattern` (keeps the letters)."""
    out: list[str] = []
    kept: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()])
        kept.extend(offsets[last : m.start()])
        for i in range(m.start(), m.end()):
            if text[i].isalpha() or text[i] in keep:
                out.append(text[i])
                kept.append(offsets[i])
        last = m.end()
    out.append(text[last:])
    kept.extend(offsets[last:])
    return Normalised("".join(out), kept)


def _script_of_text(text: str) -> str:
    return "cyr" if len(CYR.findall(text)) >= len(LAT.findall(text)) else "lat"


def _fix_token(token: str, default: str) -> str:
    """One word in one alphabet: the alphabet of its letters that have no twin decides, the
    text's main alphabet breaks a tie; digits between letters become letters."""
    if token in TRANSLIT:
        return TRANSLIT[token]
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return token
    has_cyr = any(CYR.match(c) for c in letters)
    has_lat = any(LAT.match(c) for c in letters)
    if has_cyr and has_lat:
        only_cyr = sum(1 for c in letters if CYR.match(c) and c not in CYRILLIC_TO_LATIN)
        only_lat = sum(1 for c in letters if LAT.match(c) and c not in LATIN_TO_CYRILLIC)
        script = default if only_cyr == only_lat else ("cyr" if only_cyr > only_lat else "lat")
    elif has_lat and default == "cyr":
        as_cyr = "".join(LATIN_TO_CYRILLIC.get(c, c) for c in token)
        script = "cyr" if as_cyr in TWIN_WORDS else "lat"
    else:
        script = "cyr" if has_cyr else "lat"
    table = LATIN_TO_CYRILLIC if script == "cyr" else CYRILLIC_TO_LATIN
    digits = DIGITS_AS_CYRILLIC if script == "cyr" else DIGITS_AS_LATIN
    chars = list(token)
    for i, c in enumerate(chars):
        if c in table:
            chars[i] = table[c]
        elif (
            c in digits
            and 0 < i < len(chars) - 1
            and chars[i - 1].isalpha()
            and (chars[i + 1].isalpha() or chars[i + 1] in digits)
        ):
            chars[i] = digits[c]  # only between letters: "к0д"; "cvv2", "3ds" keep theirs
    fixed = "".join(chars)
    return TRANSLIT.get(fixed, fixed)


def normalise(text: str) -> Normalised:
    """Lower case, `ё` as `е`, NFKC, invisible characters dropped, spread-out letters joined,
    look-alike letters and digits put back into the word's alphabet."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        for c in unicodedata.normalize("NFKC", ch).lower().replace("ё", "е"):
            chars.append(c)
            offsets.append(i)
    current = Normalised("".join(chars), offsets)
    current = _drop(current.text, current.offsets, SPREAD)
    current = _drop(current.text, current.offsets, INNER)
    default = _script_of_text(current.text)
    out = list(current.text)
    for m in TOKEN.finditer(current.text):
        token = m.group()
        fixed = _fix_token(token, default)
        if fixed != token and len(fixed) == len(token):
            out[m.start() : m.end()] = list(fixed)
        elif fixed != token:
            # a transliterated word changes length: map every new character to the token
            out[m.start() : m.end()] = [fixed] + [""] * (len(token) - 1)
    pieces = out
    final_chars: list[str] = []
    final_offsets: list[int] = []
    for piece, offset in zip(pieces, current.offsets, strict=True):
        for c in piece:
            final_chars.append(c)
            final_offsets.append(offset)
    return Normalised("".join(final_chars), final_offsets)
