"""The staff directory: people, their line managers and roles, and how to find them on each platform."""
