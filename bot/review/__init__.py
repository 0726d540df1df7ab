"""Draft posts → findings with clause, evidence and advice, a verdict, and a safer rewrite."""

from bot.review.models import Finding, Review
from bot.review.service import Reviewer

__all__ = ["Finding", "Review", "Reviewer"]
