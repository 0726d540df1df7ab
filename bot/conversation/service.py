"""One entry point for every platform: a `Message` in, a `Reply` out.

Today every message is a question for the answerer; draft review and breach reports join here, so
that the rules of interfaces.md ("check:" is a draft, "/snp-report" opens a report) live in one
place rather than once per platform.
"""

from __future__ import annotations

from bot.answer import Answer, Answerer
from bot.conversation.models import Message, Reply
from bot.metrics import QUESTIONS


class Conversation:
    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def handle(self, message: Message) -> Reply:
        reply = self._from_answer(self.answerer.answer(message.text))
        QUESTIONS.labels(reply.kind).inc()
        return reply

    @staticmethod
    def _from_answer(answer: Answer) -> Reply:
        if answer.in_scope:
            return Reply(answer.text, "answer", answer.citations)
        if answer.pointer:
            return Reply(answer.text, "declined")
        return Reply(answer.text, "notice" if answer.notice else "guide")
