"""Root test configuration: shared markers and factory fixtures live here."""
