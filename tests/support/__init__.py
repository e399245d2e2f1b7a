"""Shared test helpers (strategies, factories). Importable as `support`."""
