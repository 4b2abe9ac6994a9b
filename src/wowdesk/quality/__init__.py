"""Quality: flags on bot answers, incidents and their reports, regression cases; the scorecards,
WOW dialogues, case library and knowledge gaps build here."""
