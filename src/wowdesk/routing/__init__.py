"""Queues and assignment: which human gets a conversation, when, and how long the wait is."""
