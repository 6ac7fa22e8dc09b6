"""What a job kind is: its name, the function that runs it, and for housekeeping, how often it is scheduled.

The kinds themselves are listed once, in `partnerhub.jobs.registry`; nothing registers itself on import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partnerhub.jobs.runner import JobContext

Handler = Callable[["JobContext"], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Handler
    summary: str
    every_seconds: int | None = None  # scheduled housekeeping: enqueued by the workers this often


class JobRegistry:
    """An immutable set of job kinds, looked up by name."""

    def __init__(self, *kinds: JobKind) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"job kind {kind.name} is listed twice")
            self._kinds[kind.name] = kind

    def handler(self, name: str) -> Handler | None:
        kind = self._kinds.get(name)
        return kind.run if kind else None

    def scheduled(self) -> dict[str, int]:
        """Kind name → seconds between runs, for the kinds that are scheduled."""
        return {k.name: k.every_seconds for k in self._kinds.values() if k.every_seconds}

    def with_kinds(self, *kinds: JobKind) -> JobRegistry:
        """This registry plus `kinds` (tests add their own kinds this way)."""
        return JobRegistry(*self._kinds.values(), *kinds)

    def __iter__(self) -> Iterator[JobKind]:
        return iter(sorted(self._kinds.values(), key=lambda k: k.name))

    def __contains__(self, name: object) -> bool:
        return name in self._kinds
