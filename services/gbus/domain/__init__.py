"""Pure domain model: imports nothing but the standard library."""
