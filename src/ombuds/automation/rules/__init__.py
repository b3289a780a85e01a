"""Triggers and time rules: what they may test, what they may do, and how they run."""
