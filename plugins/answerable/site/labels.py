"""The words the site shows for the board's codes: statuses, reply kinds, ratings, levels.

Marked with ``N_`` where they are defined and translated where they are shown, in the
board's language.
"""

from __future__ import annotations

from answerable.core.status import Status


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for deferred messages
    """Mark a message for translation where it is defined; translate where shown."""
    return message


STATUS_LABELS = {
    Status.OPEN: N_("Open"),
    Status.DUE_SOON: N_("Due soon"),
    Status.OVERDUE: N_("Overdue"),
    Status.ANSWERED_ON_TIME: N_("Answered on time"),
    Status.ANSWERED_LATE: N_("Answered late"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.DUPLICATE: N_("Duplicate"),
}
STATUS_LISTS: list[tuple[str, str, tuple[Status, ...]]] = [
    ("overdue", N_("Overdue"), (Status.OVERDUE,)),
    ("due-soon", N_("Due soon"), (Status.DUE_SOON,)),
    ("open", N_("Open"), (Status.OPEN,)),
    ("answered", N_("Answered"), (Status.ANSWERED_ON_TIME, Status.ANSWERED_LATE)),
    ("withdrawn", N_("Withdrawn or duplicate"), (Status.WITHDRAWN, Status.DUPLICATE)),
]
KIND_LABELS = {
    "interim": N_("Interim reply"),
    "final": N_("Final reply"),
    "supplement": N_("Supplement"),
}
RATING_LABELS = {
    "satisfied": N_("Satisfied"),
    "basically-satisfied": N_("Basically satisfied"),
    "unsatisfied": N_("Unsatisfied"),
}
RESOLUTION_LABELS = {
    "resolved": N_("Resolved"),
    "partially-resolved": N_("Partially resolved"),
    "unresolved": N_("Unresolved"),
    "explained": N_("Explained (cannot be done; reason published)"),
}
SOURCE_LABELS = {
    "return-visit": N_("return visit"),
    "online": N_("online"),
    "sms": N_("text message"),
    "hotline": N_("hotline"),
}
LEVEL_LABELS = {
    "province": N_("Province"),
    "city": N_("City"),
    "district": N_("District"),
    "county": N_("County"),
    "township": N_("Township"),
    "street": N_("Street"),
}
LEVEL_ORDER = list(LEVEL_LABELS)
