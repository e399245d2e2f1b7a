"""Kafka clients of the bus: factories with the bus's settings, and topic admin."""
