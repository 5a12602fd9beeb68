"""The incremental layer: what changed, and what earlier builds made of it, keyed by content."""
