"""The policy as data: loading `policy_content/`, and importing a new policy document into it."""

from bot.policy.loader import PolicyContentError, load_policy
from bot.policy.models import Clause, Policy, PolicyMeta

__all__ = ["Clause", "Policy", "PolicyContentError", "PolicyMeta", "load_policy"]
