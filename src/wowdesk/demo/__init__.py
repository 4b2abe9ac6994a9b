"""The Russian marketplace demo: its seed, its generated history and its data."""
