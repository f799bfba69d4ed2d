"""Timelines and data exports, and the spreadsheet round trip for focal points."""
