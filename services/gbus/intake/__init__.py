"""Intake: validate a report, seal its reporter, make it durable in Kafka, and answer where it went
(the case processor's verdict, docs/integration.md)."""
