"""Notifications: the outbox a ticket change writes to, the delivery worker, and the `Channel`
protocol each platform adapter implements."""
