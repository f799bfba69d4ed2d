"""Assignments, reporting rounds, progress updates, the workflow and its review."""
