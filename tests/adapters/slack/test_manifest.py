"""The Slack app manifest asks for what the adapter uses, on the one URL it serves."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).parents[3] / "adapters" / "slack" / "manifest.yml").read_text())


def test_commands_events_and_interactivity_all_go_to_slack_events():
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [MANIFEST["settings"]["event_subscriptions"]["request_url"], MANIFEST["settings"]["interactivity"]["request_url"]]
    assert {url.rsplit("/", 2)[-2:] == ["slack", "events"] for url in urls} == {True}
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/snp-check", "/snp-report"]
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == ["message.im"]


def test_scopes_include_email_to_match_people_to_the_directory():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "im:history", "im:write", "users:read", "users:read.email"} <= scopes
