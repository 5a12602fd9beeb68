"""Staff work on the board: authoring tickets and replies, importing exports, the audit of
history, new boards.
"""
