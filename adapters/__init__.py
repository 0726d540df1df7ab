"""Platform adapters: each translates its platform's events into core messages and renders replies."""
