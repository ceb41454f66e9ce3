"""Outbox, event feeds and feed consumers: at-least-once delivery, effectively-once effect."""
