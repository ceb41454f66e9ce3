"""The project's services, by name (a module of its own so that importing it costs nothing)."""

SERVICES = ("intake", "matching", "exchange")
