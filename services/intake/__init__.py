"""intake: the township portals' service (乡镇/街道一门受理) — households, applications, workflow."""
