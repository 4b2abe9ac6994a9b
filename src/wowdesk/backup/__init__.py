"""Backups: the database and the var folder in one archive, and the way back."""
