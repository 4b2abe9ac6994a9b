"""Quality: scorecards and auto-QA, review, calibration, WOW dialogues, the case library,
and the knowledge that flows back (gaps, proposals, weak spots)."""
