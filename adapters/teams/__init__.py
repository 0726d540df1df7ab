"""Microsoft Teams: a botbuilder bot at `POST /api/messages` of `snp-bot serve`, translating
personal-chat messages, card submissions and card actions into core requests and rendering the
replies as Adaptive Cards; and the Teams channel that delivers notifications proactively.

Every import of botbuilder stays inside this folder: botbuilder-python is no longer developed, and
moving to its successor (the Microsoft 365 Agents SDK) should touch this folder alone.
"""
