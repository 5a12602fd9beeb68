"""How records are pickled, into the build state and between reading processes.

Records are unpickled by the hundred thousand on a city's board. Plain pickling would
give every record its own copy of each field name, of its short values (department
ids, kinds) and of the set of fields it was given: half of a ticket's 5.2 KiB. Records
are frozen, so they can share all of these. ``register`` (run when this module is first
imported) tells pickle, through ``copyreg``, to pickle every record class this way; the
records themselves know nothing of it.
"""

from __future__ import annotations

import copyreg
import sys
from datetime import datetime, timezone, tzinfo
from functools import cache
from typing import Any

from pydantic import BaseModel

from answerable.core.records import Record

_FIELD_SETS: dict[frozenset[str], set[str]] = {}
_ZONES: dict[tzinfo, tzinfo] = {}


def register() -> None:
    """Pickle every record class compactly (classes made later pickle as pydantic's)."""
    classes: list[type[Record]] = [Record]
    while classes:
        model = classes.pop()
        copyreg.pickle(model, _reduce)
        classes += model.__subclasses__()
    # The same bytes as pickle's own way, which looks for the slots of the type anew for
    # every zone it meets (it cannot note them on a built-in type): a fifth of pickling a
    # settled ticket's state.
    copyreg.pickle(timezone, _reduce_zone)


def _reduce_zone(zone: timezone) -> tuple[Any, ...]:
    return timezone, zone.__getinitargs__()  # type: ignore[attr-defined]


def _reduce(record: Record) -> tuple[Any, ...]:
    state = BaseModel.__getstate__(record)
    values = state["__dict__"]
    if tuple(values) == _field_names(type(record)):
        state["__dict__"] = tuple(values.values())  # the names are the class's
    return _rebuild, (type(record), state)


def _rebuild(model: type[Record], state: dict[Any, Any]) -> Record:
    record = model.__new__(model)
    values = state.get("__dict__")
    if type(values) is tuple:
        # One attribute at a time: the dict then shares its keys with the other records
        # of its class (a ticket: 310 bytes against 920; a reply's front matter 145
        # against 270). CPython stops sharing them for a class once pydantic has
        # validated one in the process, as a small board's build does; the main process
        # of a large build never does.
        for name, value in zip(_field_names(model), values, strict=True):
            object.__setattr__(record, name, _shared(value))
        state["__dict__"] = record.__dict__
    given = state.get("__pydantic_fields_set__")
    if given is not None:
        state["__pydantic_fields_set__"] = _FIELD_SETS.setdefault(frozenset(given), given)
    BaseModel.__setstate__(record, state)
    return record


@cache
def _field_names(model: type[Record]) -> tuple[str, ...]:
    return tuple(model.__pydantic_fields__)


def _shared(value: object) -> object:
    """One copy of a short text (an id, a kind) and of a time zone, however many
    records hold it."""
    kind = type(value)
    if kind is str:
        return sys.intern(value) if len(value) <= 32 else value  # type: ignore[arg-type]
    if kind is datetime and value.tzinfo is not None:  # type: ignore[attr-defined]
        zone = _ZONES.setdefault(value.tzinfo, value.tzinfo)  # type: ignore[attr-defined]
        return value if zone is value.tzinfo else value.replace(tzinfo=zone)  # type: ignore[attr-defined]
    return value


register()
