"""The tree of departments: city → district → street, with levels inherited downwards."""

from __future__ import annotations

from collections.abc import Iterator

from answerable.core.records import Board, Department


class Departments:
    def __init__(self, board: Board) -> None:
        self.by_id: dict[str, Department] = {d.id: d for d in board.departments}
        self.order = [d.id for d in board.departments]
        self.children: dict[str, list[str]] = {d: [] for d in self.by_id}
        for department in board.departments:
            if department.parent in self.children:
                self.children[department.parent].append(department.id)

    def __contains__(self, department_id: object) -> bool:
        return department_id in self.by_id

    def __iter__(self) -> Iterator[Department]:
        return iter(self.by_id.values())

    def name(self, department_id: str) -> str:
        department = self.by_id.get(department_id)
        return department.name if department else department_id

    def ancestors(self, department_id: str) -> list[str]:
        """Parents from the nearest up; stops at a cycle, which validation reports."""
        found: list[str] = []
        current = self.by_id.get(department_id)
        while current is not None and current.parent and current.parent not in found:
            if current.parent == department_id:
                break
            found.append(current.parent)
            current = self.by_id.get(current.parent)
        return found

    def level(self, department_id: str) -> str | None:
        """The department's level, or the nearest ancestor's."""
        for candidate in [department_id, *self.ancestors(department_id)]:
            department = self.by_id.get(candidate)
            if department is not None and department.level is not None:
                return department.level
        return None
