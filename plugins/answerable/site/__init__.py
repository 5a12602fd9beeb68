"""The public site: URLs, labels, views and the page families, each giving its jobs."""
