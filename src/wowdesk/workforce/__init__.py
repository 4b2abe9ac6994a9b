"""Workforce management: how many agents each interval of a forecast needs."""
