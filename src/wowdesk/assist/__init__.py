"""Operator assist: suggested replies, scripted templates with variables, handoff summaries."""
