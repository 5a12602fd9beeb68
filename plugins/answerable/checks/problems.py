"""Problems found in a board: a stable code, a one-line message, and where.

Codes never change meaning once published: CI annotations, docs and people's memory
refer to them. ``E`` codes are errors (the board is wrong), ``W`` codes are warnings
(the board is allowed but the office should look), ``N`` codes are notices (a file the
site does not show at the build's moment, named so that nothing is left out silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


# code: (slug, what it means). docs/validation.md explains each; a test keeps them in step.
CODES: dict[str, tuple[str, str]] = {
    # Reading files
    "E001": ("unreadable-file", "the file cannot be read as UTF-8 text"),
    "E002": ("yaml-syntax", "the YAML is not well-formed"),
    "E003": ("duplicate-key", "a key appears twice in one mapping"),
    "E004": (
        "unsupported-yaml",
        "a YAML feature the board does not accept (tags, merge keys, bombs)",
    ),
    "E005": (
        "front-matter",
        "a reply file does not start with YAML front matter between --- lines",
    ),
    "E006": ("stray-file", "a file or folder that is not part of the board's layout"),
    "E007": ("missing-file", "a required file is missing (board.yaml, ticket.yaml)"),
    # One file against its schema
    "E101": ("required", "a required field is missing"),
    "E102": ("unknown-field", "a field the format does not have (often a typo)"),
    "E103": ("wrong-type", "a value of the wrong type"),
    "E104": ("not-allowed", "a value outside the allowed set"),
    "E105": ("no-utc-offset", "a timestamp without a UTC offset"),
    "E106": ("bad-format", "a date, timestamp, duration or id written wrongly"),
    # The board's own settings
    "E150": ("board-settings", "board.yaml settings that contradict each other"),
    # References between files
    "E201": ("id-mismatch", "a ticket's id differs from its folder name or year folder"),
    "E202": ("duplicate-id", "two tickets share an id"),
    "E203": ("unknown-department", "a department id that board.yaml does not list"),
    "E204": ("unknown-category", "a category id that board.yaml does not list"),
    "E205": ("unknown-type", "a ticket type that board.yaml does not list"),
    "E206": ("unknown-channel", "a channel that board.yaml does not list"),
    "E207": ("unknown-ticket", "a reference to a ticket that does not exist"),
    "E208": ("transfer-chain", "transfers that do not lead to the ticket's department"),
    # Order in time
    "E301": ("reply-before-receipt", "a reply dated before the ticket was received"),
    "E302": ("rating-without-final", "a rating or resolution without a final reply before it"),
    "E303": ("extension-late", "an extension requested after the due time it extends"),
    "E304": (
        "extension-invalid",
        "an extension that is not approved, shortens the deadline or is too long",
    ),
    "E305": ("several-finals", "more than one final reply"),
    "E306": ("supplement-early", "a supplement without a final reply before it"),
    "E307": ("interim-no-promise", "an interim reply without a promised date"),
    "E308": ("promise-late", "an interim reply promising a date after the due time"),
    "E309": ("event-order", "an event dated before the receipt or out of order"),
    "E310": ("reply-numbering", "reply files not numbered 1, 2, 3 ... in date order"),
    "E311": ("withdrawn-after-final", "a ticket withdrawn after its final reply"),
    # Privacy
    "E501": (
        "personal-data",
        "a phone, ID, card number, e-mail or protected name in a citizen's words",
    ),
    "E502": (
        "personal-data-in-reply",
        "personal data that board.yaml does not allow in the office's words (replies,"
        " signatures, reasons, board names)",
    ),
    # Quality of replies
    "W401": ("shallow-reply", "a reply shorter than the board's minimum length"),
    "W402": ("referral-only", "a reply that only refers the citizen elsewhere"),
    # What the site leaves out (notices)
    "N001": ("ticket-after-moment", "a ticket received after the moment the board shows"),
    "N002": ("reply-after-moment", "a reply dated after the moment the board shows"),
    "N003": ("unpublished-file", "a file in the content folder that the site does not publish"),
    "N004": ("draft-page", "a content page marked as a draft: linked from no page"),
    "N005": ("unreadable-page", "a content page that Pelican cannot read, so does not publish"),
    # What git witnesses (answerable audit)
    "A001": ("backdated-reply", "a reply dated earlier than it entered the public record"),
    "A002": ("reply-edited", "a published reply whose content changed afterwards"),
    "A003": ("ticket-deleted", "a ticket folder removed from the record"),
    "A004": ("reply-deleted", "a published reply removed from the record"),
    "A005": (
        "record-rewritten",
        "a published fact of ticket.yaml (rating, receipt, the citizen's words, a withdrawal,"
        " a transfer or extension) removed or changed",
    ),
    "A006": ("history-out-of-order", "a commit on the main line dated before the one before it"),
}


_SEVERITY = {"W": Severity.WARNING, "N": Severity.NOTICE}  # by the code's first letter


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the board root, with forward slashes
    line: int
    column: int
    code: str
    message: str

    @property
    def severity(self) -> Severity:
        return _SEVERITY.get(self.code[0], Severity.ERROR)

    @property
    def slug(self) -> str:
        return CODES[self.code][0]

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.slug,
            "severity": self.severity.value,
            "message": self.message,
        }
