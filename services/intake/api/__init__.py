"""intake HTTP routes and schemas."""
