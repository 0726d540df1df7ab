"""Slack: a slack-bolt `AsyncApp` on `POST /slack/events` of `snp-bot serve` (or over Socket Mode),
translating DMs, slash commands, buttons and modals into core requests and rendering the replies
as Block Kit; and the Slack channel that delivers the core's notifications as DMs."""

from adapters.slack.app import mount

__all__ = ["mount"]
