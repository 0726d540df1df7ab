"""Confidential breach reports (section 7): tickets, routing to the line manager or People
Services, the workflow of actions, reminders and escalation, and retention."""
