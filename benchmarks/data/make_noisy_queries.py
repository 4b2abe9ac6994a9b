"""Writes the noisy retrieval dev set from the hand-written base questions.

Run: python benchmarks/data/make_noisy_queries.py   (deterministic: a fixed seed)

Real customers' questions are not paraphrases: they carry greetings and thanks, context
before the question, typos and no punctuation, links, emoji, runs of invisible characters,
Latin look-alike letters, caps and Latin transliteration. Each base question of
`kb_questions_base_ru.txt` becomes two messages with a random mix of these. One base
question in five (chosen by a hash of its text, so the split never moves) goes with both
its variants to the held-back file, which no tuning looks at.

Output: kb_queries_noisy_ru.csv (dev) and kb_queries_noisy_holdout_ru.csv (query,id); an
empty id marks a message no article answers (thanks, chit-chat, questions outside the KB).
"""

from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 15

GREETINGS = [
    "Здравствуйте!",
    "Добрый день.",
    "добрый вечер",
    "Привет",
    "здравствуйте, подскажите пожалуйста",
    "Доброго времени суток!",
    "Алло",
    "Здрасте",
    "Добрый день, у меня вопрос.",
    "hello",
]
THANKS = [
    "Спасибо!",
    "заранее спасибо",
    "Спасибо за ответ)",
    "буду благодарна",
    "ответьте пожалуйста побыстрее",
    "жду ответа",
    "Заранее благодарю!!!",
    "спс",
    "помогите пожалуйста",
    "thanks",
]
CONTEXT = [
    "Пользуюсь вашим сайтом уже три года.",
    "Вчера писал в чат, никто не ответил.",
    "Я не очень разбираюсь в приложении.",
    "Заказываю для мамы, она сама не может.",
    "У меня андроид, последняя версия приложения.",
    "Я уже всё перепробовал.",
    "Ситуация такая.",
    "Короче.",
    "Мне это очень срочно, завтра уезжаю.",
    "Раньше всё работало нормально.",
    "Звонил на горячую линию, там долго ждать.",
    "Номер заказа 48213377.",
    "Покупаю у вас впервые.",
    "Мой логин ivanov_88.",
]
URLS = [
    "https://market.example.ru/item/123456789",
    "www.market.example.ru/profile/ads",
    "https://m.market.example.ru/orders?id=77231&utm_source=app",
    "market.example.ru/help",
]
EMOJI = ["🙏", "😡", "😭", "🤔", "👍", "😊", "‼️", "🙂🙂", "😤😤😤", "❓"]
LOOKALIKE = {"а": "a", "о": "o", "е": "e", "р": "p", "с": "c", "х": "x", "у": "y", "к": "k"}
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
KEYBOARD_NEIGHBOURS = "йцукенгшщзхъ фывапролджэ ячсмитьбю"


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "near"])
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    row = next((r for r in KEYBOARD_NEIGHBOURS.split() if word[i] in r), "")
    if not row:
        return word
    j = row.index(word[i])
    near = row[max(0, j - 1)] if j and rng.random() < 0.5 else row[min(len(row) - 1, j + 1)]
    return word[:i] + near + word[i + 1 :]


def with_typos(text: str, rng: random.Random, rate: float) -> str:
    return " ".join(typo(w, rng) if rng.random() < rate else w for w in text.split(" "))


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, TRANSLIT.get(ch.lower(), ch)) for ch in text.lower())


def lookalikes(text: str, rng: random.Random) -> str:
    return "".join(LOOKALIKE[c] if c in LOOKALIKE and rng.random() < 0.3 else c for c in text)


def bare(text: str) -> str:
    """No capitals, no punctuation: how many people type in a chat."""
    return "".join(c for c in text.lower() if c.isalnum() or c.isspace() or c == "-")


def noisy(question: str, rng: random.Random) -> str:
    text = question
    if rng.random() < 0.45:
        text = bare(text)
    if rng.random() < 0.55:
        text = with_typos(text, rng, rate=rng.choice([0.15, 0.25, 0.4]))
    if rng.random() < 0.12:
        text = lookalikes(text, rng)
    if rng.random() < 0.15:
        text = text.rstrip("?!.") + rng.choice(["???", "?!?!", "!!!", "..", " ?"])
    parts = [text]
    if rng.random() < 0.35:
        parts.insert(0, rng.choice(CONTEXT))
    if rng.random() < 0.5:
        parts.insert(0, rng.choice(GREETINGS))
    if rng.random() < 0.25:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(URLS))
    if rng.random() < 0.35:
        parts.append(rng.choice(THANKS))
    if rng.random() < 0.25:
        parts.append(rng.choice(EMOJI))
    message = rng.choice([" ", " ", "\n"]).join(parts)
    if rng.random() < 0.08:
        message = translit(message)
    if rng.random() < 0.1:
        message = message.upper()
    if rng.random() < 0.15:
        cut = rng.randrange(len(message) + 1)
        message = message[:cut] + "\u200c" * rng.randint(3, 40) + message[cut:]
    return message


def held_back(question: str) -> bool:
    return hashlib.sha1(question.encode(), usedforsecurity=False).digest()[0] % 5 == 0


def main() -> None:
    rng = random.Random(SEED)
    dev: list[tuple[str, str]] = []
    holdout: list[tuple[str, str]] = []
    for line in (HERE / "kb_questions_base_ru.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        slug, question = line.split("\t", 1)
        target = holdout if held_back(question) else dev
        slug = "" if slug == "-" else slug  # no article answers it
        target.extend((noisy(question, rng), slug) for _ in range(2))
    for name, rows in (
        ("kb_queries_noisy_ru.csv", dev),
        ("kb_queries_noisy_holdout_ru.csv", holdout),
    ):
        with (HERE / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["query", "id"])
            writer.writerows(rows)
        print(f"{name}: {len(rows)} questions")


if __name__ == "__main__":
    main()
