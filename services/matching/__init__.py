"""matching: the internal core — person index, real-time checks, deduplication, cross-check findings."""
