"""Draft posts → findings with clause, evidence and advice, a verdict, and a safer rewrite.

`bot.review.service.Reviewer` is the entry point. This package file imports nothing, so that code
which only needs the review's data types (the conversation, `snp-bot ask`) does not load the
detectors and their libraries.
"""
