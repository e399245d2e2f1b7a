"""Intake: validate a report, seal its reporter, make it durable in Kafka (DESIGN.md §3)."""
