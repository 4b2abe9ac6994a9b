"""Scores the secrets guards on labelled text (`wowdesk eval guards`).

Two tasks in one JSON-lines file:
- `{"task": "request", "text", "kinds": [...]}`: does an outgoing text ask for a secret?
  Scored per text (asks / does not ask) and per kind (a kind found in a text that names it).
- `{"task": "secret", "text", "secrets": [{"text", "type"}]}`: is each secret a customer
  wrote found? A found span is correct when it has a gold secret's type and overlaps it;
  `leaked` counts gold secrets still readable after masking.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from wowdesk.errors import Invalid
from wowdesk.nlp.pii_evaluation import numbered_lines
from wowdesk.nlp.secrets import KINDS, mask_secrets, secret_requests, secrets_in


def load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in numbered_lines(path):
        try:
            row = json.loads(line)
            ok = isinstance(row.get("text"), str) and row.get("task") in ("request", "secret")
            if ok and row["task"] == "request":
                ok = all(k in KINDS for k in row["kinds"])
            elif ok:
                ok = all(s["type"] in KINDS and s["text"] in row["text"] for s in row["secrets"])
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            raise Invalid("Line {line}: not a labelled guards example", line=number)
        rows.append(row)
    if not rows:
        raise Invalid("No examples in {path}", path=str(path))
    return rows


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "support": tp + fn,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    texts = Counter[str]()  # tp / fp / fn / tn of "asks for a secret"
    kinds: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    secrets: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    leaked, timings, errors = 0, [], []
    secret_requests("назовите код из СМС")  # loads the morphology first: not a text's cost
    for row in rows:
        text = row["text"]
        started = time.perf_counter()
        if row["task"] == "request":
            found = {f.kind for f in secret_requests(text)}
            timings.append(time.perf_counter() - started)
            gold = set(row["kinds"])
            outcome = ("t" if bool(found) == bool(gold) else "f") + ("p" if found else "n")
            texts[outcome] += 1
            if outcome[0] == "f":
                errors.append({"task": "request", "text": text, "gold": sorted(gold),
                               "found": sorted(found)})  # fmt: skip
            for kind in KINDS:
                if kind in found and kind in gold:
                    kinds[kind]["tp"] += 1
                elif kind in found:
                    kinds[kind]["fp"] += 1
                elif kind in gold:
                    kinds[kind]["fn"] += 1
            continue
        spans = secrets_in(text)
        timings.append(time.perf_counter() - started)
        gold_spans = []
        for s in row["secrets"]:
            start = text.index(s["text"])
            gold_spans.append((start, start + len(s["text"]), s["type"]))
        matched: set[int] = set()
        for span in spans:
            hit = next(
                (
                    n
                    for n, (a, b, kind) in enumerate(gold_spans)
                    if n not in matched and kind == span.type and span.start < b and a < span.end
                ),
                None,
            )
            if hit is None:
                secrets[span.type]["fp"] += 1
                errors.append({"task": "secret", "text": text, "false": span.type})
            else:
                matched.add(hit)
                secrets[span.type]["tp"] += 1
        for n, (_a, _b, kind) in enumerate(gold_spans):
            if n not in matched:
                secrets[kind]["fn"] += 1
                errors.append({"task": "secret", "text": text, "missed": kind})
        masked = mask_secrets(text)
        leaked += sum(1 for s in row["secrets"] if s["text"] in masked)

    def overall(table: dict[str, Counter[str]]) -> dict[str, float | int]:
        return _prf(*(sum(c[x] for c in table.values()) for x in ("tp", "fp", "fn")))

    return {
        "requests": {
            **_prf(texts["tp"], texts["fp"], texts["fn"]),
            "texts": sum(texts.values()),
            "per_kind": {k: _prf(c["tp"], c["fp"], c["fn"]) for k, c in kinds.items()},
        },
        "secrets": {
            **overall(secrets),
            "leaked": leaked,
            "per_kind": {k: _prf(c["tp"], c["fp"], c["fn"]) for k, c in secrets.items()},
        },
        "p50_ms": _percentile(timings, 0.5),
        "p99_ms": _percentile(timings, 0.99),
        "errors": errors,
    }
