"""Checks of a loaded board: required fields, links, privacy, notices; problems with file and
line.
"""
