"""Pelican settings for the demo board: `pelican` here builds its site into output/."""

from pathlib import Path

HERE = Path(__file__).resolve().parent

AUTHOR = "青川市人民政府办公室"
SITENAME = "青川市网络问政公开平台"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh_CN"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["answerable"]
THEME = "plugins/answerable/theme"
ANSWERABLE_BOARD = str(HERE)
# The demo's tickets were all committed at once when the demo was written, so this
# repository's history says nothing about when its replies were published.
ANSWERABLE_HISTORY = False

# The board writes its own home page, lists and feeds; Pelican only adds content/ pages.
DIRECT_TEMPLATES: list[str] = []
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
