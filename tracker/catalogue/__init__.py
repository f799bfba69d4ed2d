"""Briefings, sessions, recommendations and entities; seeding from seed/."""
