"""Prometheus counters, served at `GET /metrics`. Labels carry outcomes, never anyone's words."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

QUESTIONS = Counter("snp_questions_total", "Questions answered, by outcome", ["outcome"])
REVIEWS = Counter("snp_reviews_total", "Draft reviews, by verdict", ["verdict"])
TICKETS_OPENED = Counter("snp_tickets_opened_total", "Breach reports opened, by routing", ["routing"])
TICKET_CHANGES = Counter("snp_ticket_changes_total", "Ticket state changes, by the new state", ["state"])
TICKETS_BY_STATE = Gauge("snp_tickets", "Tickets in the store now, by state", ["state"])
DELIVERIES = Counter("snp_deliveries_total", "Notifications delivered, by channel", ["channel"])
DELIVERY_FAILURES = Counter("snp_delivery_failures_total", "Failed delivery attempts, by channel and reason",
                            ["channel", "reason"])
DEAD_LETTERS = Counter("snp_dead_letters_total", "Notifications this process gave up on as dead letters, by kind",
                       ["kind"])
#: The outbox as the database holds it (refreshed by the ticket timer), the same on every server.
OUTBOX_PENDING = Gauge("snp_outbox_pending", "Notifications waiting to be delivered")
OUTBOX_DEAD = Gauge("snp_outbox_dead_letters", "Notifications given up after the give-up age, kept for People Services")
OUTBOX_OLDEST_PENDING = Gauge("snp_outbox_oldest_pending_seconds", "Age of the oldest notification still waiting")
