"""exchange: the departments' gateway — rosters, lookups, feeds, webhooks, audit."""
