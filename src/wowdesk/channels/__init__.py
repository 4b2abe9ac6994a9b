"""Channels other than the live chat: outgoing e-mail for now (answers to customers who
left a message instead of waiting)."""
