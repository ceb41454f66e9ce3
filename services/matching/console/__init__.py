"""The review console's presentation: UI text in Chinese and English, templates, static files."""
