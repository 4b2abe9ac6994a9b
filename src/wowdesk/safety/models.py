"""Safety tables: what supervisors decide about the bot and what is audited about it."""

from __future__ import annotations
