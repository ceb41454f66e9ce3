"""Contracts between services: the request and response shapes both sides agree on."""
