"""Customers and their identities on each channel."""
