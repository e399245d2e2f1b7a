"""`make run`: a whole bus on one machine — Kafka, a processor, nodes — with sample data."""
