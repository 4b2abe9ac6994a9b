"""Contact-center KPIs: definitions, daily rollups refreshed from the conversations' own
timestamps, reports, exports and dashboards."""
