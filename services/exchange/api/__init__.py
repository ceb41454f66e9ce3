"""exchange's HTTP routes and schemas (its public API arrives with the exchange issue)."""
