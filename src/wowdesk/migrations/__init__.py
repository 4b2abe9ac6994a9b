"""Alembic migrations, inside the package so an installed wowdesk migrates itself."""
