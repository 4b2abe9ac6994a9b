"""The first-line bot: triage, retrieval-grounded answers, handoff with context."""
