"""Operators, supervisors and admins: accounts, teams, login sessions and roles."""
