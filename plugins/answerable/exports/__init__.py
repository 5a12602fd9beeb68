"""Exports: Atom feeds, open data, Open311 GeoReport v2."""
