"""Grammatical gender of a person from their first name, so Russian system lines agree
(«Оператор Анна подключилась», «Раньше не обращалась»). pymorphy3 knows Russian first names
(the `Name` tag, with `masc`, `femn`, or `ms-f` for Саша or Женя); a name it does not know,
or one used for both, gives None and the caller keeps the neutral wording."""

from __future__ import annotations

from functools import cache
from typing import Literal

from wowdesk.nlp import morph

Gender = Literal["m", "f"]


@cache
def _of_word(word: str) -> Gender | None:
    best: tuple[float, Gender | None] = (0.0, None)
    for parse in morph.analyzer().parse(word):
        tag = parse.tag
        if "Name" not in tag or "nomn" not in tag or "sing" not in tag:
            continue
        gender: Gender | None = "f" if "femn" in tag else "m" if "masc" in tag else None
        if parse.score > best[0]:
            best = (parse.score, gender)
    return best[1]


def gender_of(name: str, stated: str | None = None) -> Gender | None:
    """The stated gender (a profile's "m"/"f") wins; else that of the first word of the
    name pymorphy reads as a first name («Анна Петрова», «Петрова Анна» both give "f")."""
    if stated in ("m", "f"):
        return stated  # type: ignore[return-value]
    for word in name.replace(".", " ").split()[:3]:
        if word[:1].isupper():
            found = _of_word(word)
            if found is not None:
                return found
    return None
