"""Erlang C (and Erlang A) staffing: the fewest agents that meet a service-level target.

Why not the textbook formula: Erlang C written with ``A**N / N!`` overflows a float long before
a busy contact centre's load (20 000 contacts an hour at a 3-minute AHT is 1 000 Erlangs), and
the common search "start at round(A + 1) and add agents" never tries floor(A) + 1 when the
load has a fraction >= .5, so it overstaffs by one agent whenever that head count would have
met the target (long target times, short AHTs: chat and back office).  This module instead:

* gets Erlang B at the first candidate from the Poisson ratio ``B(N, A) = pmf(N) / cdf(N)``
  with the pmf in Loader's saddle-point form, accurate to ~1e-15 relative at any load;
* walks up one agent at a time with the forward recursion ``B(N+1) = A B / (N + 1 + A B)``,
  which only handles numbers in (0, 1] and damps rounding errors instead of amplifying them;
* starts at the smallest integer *strictly* above A (the queue never empties at N <= A), so
  the answer is exactly the minimal N with SL(N) >= target, never one more;
* does all of it for a whole forecast at once: each step of the walk is a few numpy operations
  on only those intervals that still miss their target.

Units everywhere: volume is contacts per interval, AHT, target answer time and patience are in
seconds, interval length in minutes.  Traffic A = volume * AHT / (60 * interval_minutes) Erlangs.

Erlang A (M/M/N+M: callers abandon after an exponential patience) is used when
``patience_seconds`` is given; its formulas are in the section that implements it.
"""

from .erlang_a import (
    erlang_a_abandonment,
    erlang_a_asa,
    erlang_a_occupancy,
    erlang_a_service_level,
    erlang_a_wait_probability,
)
from .erlang_c import asa, erlang_b, erlang_c, occupancy, service_level, traffic_intensity
from .staffing import Staffing, StaffingBatch, staffing, staffing_json, staffing_many

__all__ = [
    "Staffing",
    "StaffingBatch",
    "asa",
    "erlang_a_abandonment",
    "erlang_a_asa",
    "erlang_a_occupancy",
    "erlang_a_service_level",
    "erlang_a_wait_probability",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "staffing",
    "staffing_json",
    "staffing_many",
    "traffic_intensity",
]
