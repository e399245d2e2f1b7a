"""grievance-bus: inter-agency grievance routing, deduplication and status sync."""

__version__ = "0.1.0"
