"""Prometheus counters, served at `GET /metrics`. Labels carry outcomes, never anyone's words."""

from __future__ import annotations

from prometheus_client import Counter

QUESTIONS = Counter("snp_questions_total", "Questions answered, by outcome", ["outcome"])
REVIEWS = Counter("snp_reviews_total", "Draft reviews, by verdict", ["verdict"])
