"""Quality: flags on bot answers, incidents and their reports, regression cases; scorecards
and auto-QA, review, calibration, WOW dialogues, the case library, and the knowledge that
flows back (gaps, proposals, weak spots)."""
