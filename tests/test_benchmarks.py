"""The quick benchmarks run, at a small size, on the embedded default and print their figure
beside their floor. A benchmark is read by people deciding what to optimise; one that dies
(benchmarks/assist.py waited for suggestions that a change to the app no longer pushed)
or that lost its floor goes unnoticed until someone needs it. No timing is asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"

# (script, small-size arguments, what its output must show besides its floor)
QUICK = [
    ("assist.py", ["--history", "50", "--rated", "100", "--messages", "5"], "do_suggest alone"),
    ("bot_turn.py", ["--articles", "60", "--turns", "5"], "bot turn over 60 articles"),
    ("autoqa.py", ["--conversations", "10"], "auto-QA of one closed conversation"),
    ("quality_jobs.py", ["--conversations", "300"], "WOW job"),
    ("kpi.py", ["--conversations", "1000", "--days", "10", "--runs", "1"], "page_over_rollup"),
    ("routing.py", ["--conversations", "40", "--latency-conversations", "5"], "throughput"),
    ("erlang.py", ["--intervals", "50", "--calls", "20", "--runs", "1"], "per call"),
    ("fusion_feedback.py", ["--from-use"], "refit on    30 verdicts"),  # on the demo KB
]
# how a benchmark names its floor, where it is not "floor": the shipped weights a refit
# is measured against
FLOORS = {"fusion_feedback.py": "shipped fusion: hit@1"}


@pytest.mark.parametrize(("script", "args", "figure"), QUICK, ids=[q[0] for q in QUICK])
def test_quick_benchmark_runs_and_prints_its_floor(
    script: str, args: list[str], figure: str
) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert figure in done.stdout
    floor = FLOORS.get(script, "floor")
    assert re.search(re.escape(floor), done.stdout, re.IGNORECASE), done.stdout
