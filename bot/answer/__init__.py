"""Questions about the policy → answers that quote and cite the clause they rest on."""

from bot.answer.models import Answer, Citation
from bot.answer.service import Answerer

__all__ = ["Answer", "Answerer", "Citation"]
