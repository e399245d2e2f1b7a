"""Logging and metrics setup: one place for each."""
