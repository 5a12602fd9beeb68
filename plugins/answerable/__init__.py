"""Answerable: a public transparency board for government replies to citizens."""
