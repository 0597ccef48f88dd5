"""Core pages: signing in and out, first run, language, search, notifications, settings."""
