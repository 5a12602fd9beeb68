"""YAML text to plain data, keeping where every value stood.

PyYAML's loaders follow YAML 1.1, where ``no`` and ``on`` are booleans, a bare date becomes
a naive ``datetime`` and a repeated key silently wins. Boards are written by hand, so we
compose the node graph with libyaml (when present) and build the data ourselves with
YAML 1.2 core-schema scalars: only ``true``/``false`` are booleans, dates stay strings for
the record models to parse, and a duplicate key is an error.

Most files have no problem, so their data is built without positions, and a file is
composed again with positions only when something asks where a value stands (a
problem to report). Anything the data-only pass cannot accept (a duplicate key, a
tag, a merge key, a limit) sends the file through the positioned pass, which reports
it with its line and column: both passes accept the same files and give the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import yaml

try:  # libyaml's C parser is several times faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

PathKey: TypeAlias = tuple[str | int, ...]

_PLAIN = "!answerable/plain"
_CORE = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _CORE + "str", _CORE + "seq", _CORE + "map"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")

# Limits against alias bombs and runaway nesting: far above any real ticket.
MAX_NODES = 100_000
MAX_DEPTH = 64


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


class YamlProblem(Exception):  # noqa: N818 - a problem report, not a crash
    """A document that cannot be turned into data: code, message and where."""

    def __init__(self, code: str, message: str, position: Position) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position


@dataclass
class YamlDocument:
    data: Any
    # libyaml's marks, kept as they come: turning every one into a Position costs more
    # than parsing, and only the few that a problem points at are ever looked at.
    positions: dict[PathKey, Any] = field(default_factory=dict)
    line_offset: int = 0
    text: str | None = None
    """The source, until a position is first asked for: then composed with positions."""

    def position(self, path: PathKey) -> Position:
        """Where ``path`` stands, or its nearest enclosing value that does."""
        if self.text is not None:
            self.positions = _positions(self.text, self.line_offset)
            self.text = None
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return _at(found, self.line_offset)
        return Position(1, 1)  # the file itself


class _Composer(_BaseLoader):  # type: ignore[misc, valid-type]
    # PyYAML calls these three for every node. No path resolvers are ever added here, so
    # its own give each kind its default tag and keep no state: the same, called for less.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # noqa: ANN401 - PyYAML's API
        if kind is yaml.ScalarNode:
            # Mark plain scalars so we can apply YAML 1.2 resolution ourselves.
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:  # noqa: ANN401
        pass

    def ascend_resolver(self) -> None:
        pass


def _at(mark: Any, line_offset: int) -> Position:  # noqa: ANN401 - PyYAML's Mark
    return Position(mark.line + 1 + line_offset, mark.column + 1)


def parse_yaml(text: str, *, line_offset: int = 0) -> YamlDocument:
    """Parse one YAML document; ``line_offset`` shifts positions (front matter).

    The data is built without positions; they are composed when first asked for."""
    node = _compose(text, line_offset)
    if node is None:
        return YamlDocument(data=None, line_offset=line_offset)
    try:
        data = _Data().build(node, 0)
    except _Refused:
        # Only the positioned pass says what is wrong and where: it raises YamlProblem.
        return _positioned(node, line_offset)
    return YamlDocument(data=data, line_offset=line_offset, text=text)


def parse_with_positions(text: str, *, line_offset: int = 0) -> YamlDocument:
    """Data and positions in one pass: for a file known to have a problem to point at."""
    node = _compose(text, line_offset)
    if node is None:
        return YamlDocument(data=None, line_offset=line_offset)
    return _positioned(node, line_offset)


def _compose(text: str, line_offset: int) -> yaml.Node | None:
    loader = _Composer(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _at(mark, line_offset) if mark else Position(1 + line_offset, 1)
        reason = error.problem or error.context or "not valid YAML"
        raise YamlProblem("E002", f"YAML syntax error: {reason}", where) from None
    except yaml.YAMLError as error:
        raise YamlProblem("E002", f"YAML error: {error}", Position(1 + line_offset, 1)) from None
    finally:
        loader.dispose()


def _positioned(node: yaml.Node, line_offset: int) -> YamlDocument:
    doc = YamlDocument(data=None, line_offset=line_offset)
    doc.data = _Builder(doc.positions, line_offset).build(node, (), 0)
    return doc


def _positions(text: str, line_offset: int) -> dict[PathKey, Any]:
    """Where every value of ``text`` stands; empty for text that has no data."""
    try:
        node = _compose(text, line_offset)
        return _positioned(node, line_offset).positions if node is not None else {}
    except YamlProblem:  # not for text the data-only pass accepted: both refuse alike
        return {}


class _Refused(Exception):  # noqa: N818 - a signal to take the positioned pass
    """The data-only pass met what the positioned pass reports as a problem."""


_NOT_SPECIAL = object()
# Plain scalars resolved by a lookup: the null spellings and the booleans (_NULL, _BOOL).
_SPECIAL: dict[str, Any] = {"~": None, "null": None, "Null": None, "NULL": None, "": None, **_BOOL}
_NUMBER_START = frozenset("+-.0123456789")


class _Data:
    """The data of a composed document, as ``_Builder`` makes it, without positions;
    raises ``_Refused`` wherever ``_Builder`` raises a YamlProblem."""

    def __init__(self) -> None:
        self.nodes = 0

    def build(self, node: yaml.Node, depth: int) -> Any:  # noqa: ANN401
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _Refused
        kind = type(node)
        if kind is yaml.ScalarNode:
            tag = node.tag
            value: str = node.value
            if tag == _PLAIN:
                found = _SPECIAL.get(value, _NOT_SPECIAL)
                if found is not _NOT_SPECIAL:
                    return found
                if value[0] in _NUMBER_START:
                    if _INT.match(value):
                        return int(value)
                    if _FLOAT.match(value):
                        return float(value)
                return value
            if tag == _STR:
                return value
            raise _Refused
        if node.tag != (_MAP if kind is yaml.MappingNode else _SEQ):
            raise _Refused
        depth += 1
        if kind is yaml.SequenceNode:
            return [self.build(item, depth) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Refused
            key = key_node.value
            if key in result or (key == "<<" and key_node.tag == _PLAIN):
                raise _Refused
            result[key] = self.build(value_node, depth)
        return result


class _Builder:
    def __init__(self, positions: dict[PathKey, Any], line_offset: int) -> None:
        self.positions = positions
        self.line_offset = line_offset
        self.nodes = 0

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:  # noqa: ANN401
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlProblem(
                "E004",
                f"document expands to more than {MAX_NODES} values (alias bomb?)",
                self._where(node),
            )
        if depth > MAX_DEPTH:
            message = f"values nested more than {MAX_DEPTH} levels deep"
            raise YamlProblem("E004", message, self._where(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                raise YamlProblem("E004", f"unsupported YAML tag {node.tag}", self._where(node))
            items = []
            for index, item in enumerate(node.value):
                self.positions.setdefault((*path, index), item.start_mark)
                items.append(self.build(item, (*path, index), depth + 1))
            return items
        return self._scalar(node)

    def _where(self, node: yaml.Node) -> Position:
        return _at(node.start_mark, self.line_offset)

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        if node.tag != _CORE + "map":
            raise YamlProblem("E004", f"unsupported YAML tag {node.tag}", self._where(node))
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(
                    "E004", "a mapping key must be a plain name", self._where(key_node)
                )
            key = key_node.value
            if key == "<<" and key_node.tag == _PLAIN:
                message = "YAML merge keys (<<) are not supported"
                raise YamlProblem("E004", message, self._where(key_node))
            if key in result:
                first = _at(self.positions[(*path, key)], self.line_offset)
                message = f"duplicate key '{key}' (first at line {first.line})"
                raise YamlProblem("E003", message, self._where(key_node))
            self.positions[(*path, key)] = key_node.start_mark
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:  # noqa: ANN401
        value: str = node.value
        if node.tag == _CORE + "str":
            return value
        if node.tag != _PLAIN:
            raise YamlProblem("E004", f"unsupported YAML tag {node.tag}", self._where(node))
        if _NULL.match(value):
            return None
        if value in _BOOL:
            return _BOOL[value]
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        return value
