"""Reading the board: files to plain records, every problem with file and line; the git history
of when files entered the record.
"""
