"""Open311 GeoReport v2 gateway: an HTTP door to a node for civic apps (docs/open311.md)."""
