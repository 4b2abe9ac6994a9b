"""Safety request and response bodies."""

from __future__ import annotations
