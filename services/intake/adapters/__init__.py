"""intake tables, repositories and clients of other services."""
