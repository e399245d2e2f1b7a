"""Operator tooling: cluster status, case trace, dead letters, bulk import, delivery monitor.

Pure parts (lag arithmetic, trace verification, line parsing, rendering) live in
modules without Kafka or gRPC imports so they are tested without a broker;
`kafka_view`, `records`, `import_client` and `monitor` do the I/O.
"""
