"""Conversations and their messages: the unit of work of the contact center."""
