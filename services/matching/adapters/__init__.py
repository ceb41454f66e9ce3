"""matching's tables, repositories and clients of other services."""
