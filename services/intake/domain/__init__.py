"""Plain-Python rules of intake: no framework, no database."""
