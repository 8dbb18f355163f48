"""What parsing a DAG file gives: serialized DAGs and import errors (JSON-able)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from brisa.serialized import SerializedDag


@dataclass(frozen=True)
class ImportErrorInfo:
    """Why (part of) a DAG file did not load: shown on the UI's import errors page."""

    filename: str
    lineno: int | None
    message: str
    traceback: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportErrorInfo:
        return cls(data["filename"], data.get("lineno"), data["message"], data.get("traceback", ""))


@dataclass
class ParseResult:
    dags: list[SerializedDag] = field(default_factory=list)
    errors: list[ImportErrorInfo] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(
            {"dags": [d.to_dict() for d in self.dags], "errors": [e.to_dict() for e in self.errors]}
        )

    @classmethod
    def from_json(cls, text: str) -> ParseResult:
        data = json.loads(text)
        return cls(
            dags=[SerializedDag.from_dict(d) for d in data["dags"]],
            errors=[ImportErrorInfo.from_dict(e) for e in data["errors"]],
        )

    def extend(self, other: ParseResult) -> None:
        self.dags.extend(other.dags)
        self.errors.extend(other.errors)


__all__ = ["ImportErrorInfo", "ParseResult"]
