"""`wowdesk eval injection`: the shipped detector on a labelled `text,label` CSV."""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

from wowdesk.errors import Invalid
from wowdesk.nlp.injection import InjectionDetector, detector


def load(path: Path) -> tuple[list[str], list[int]]:
    """Rows of text,label (1 = injection); a bad row stops with its line number."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower() for f in reader.fieldnames or []}
            if not {"text", "label"} <= fields:
                raise Invalid("{path}: the header must have text,label", path=str(path))
            texts: list[str] = []
            labels: list[int] = []
            for row in reader:
                clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                if clean.get("label") not in ("0", "1") or not clean.get("text"):
                    raise Invalid(
                        "{path}:{line}: expected a text and a label 0 or 1",
                        path=str(path),
                        line=reader.line_num,
                    )
                texts.append(clean["text"])
                labels.append(int(clean["label"]))
    except FileNotFoundError as exc:
        raise Invalid("{path}: no such file", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise Invalid("{path}: the file is not UTF-8", path=str(path)) from exc
    if not texts:
        raise Invalid("{path}: no rows", path=str(path))
    return texts, labels


def evaluate(
    texts: list[str], labels: list[int], model: InjectionDetector | None = None
) -> dict[str, float | int]:
    model = model or detector()
    model.check("прогрев")  # trains and loads the encoder outside the timing
    predicted: list[int] = []
    latencies: list[float] = []
    for text in texts:
        started = time.perf_counter()
        predicted.append(int(model.check(text).injection))
        latencies.append((time.perf_counter() - started) * 1000)
    tp = sum(p and t for p, t in zip(predicted, labels, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, labels, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "accuracy": round(
            sum(p == t for p, t in zip(predicted, labels, strict=True)) / len(labels), 4
        ),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "p50_ms": round(q[49], 3),
        "p99_ms": round(q[98], 3),
        "n": len(labels),
    }
