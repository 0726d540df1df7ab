"""`snp-bot chat`: the bot in a terminal, as if in a direct message."""
