"""wowdesk: an AI-first contact-center platform, Russian-first."""

__version__ = "0.1.0"
