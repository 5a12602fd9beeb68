"""Pelican settings: the content folder's pages, as a board's site builds them."""

PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS: list[str] = []
