"""The standard provider's ``FileTrigger``: fire once a file matching a glob exists."""

from __future__ import annotations

import asyncio
import datetime
import glob
import os
from collections.abc import AsyncIterator
from typing import Any

from brisa.sdk.triggers.base import BaseTrigger, TriggerEvent


class FileTrigger(BaseTrigger):
    def __init__(
        self, filepath: str, recursive: bool = False, poke_interval: float = 5.0, **kwargs: Any
    ) -> None:
        super().__init__()
        self.filepath = filepath
        self.recursive = recursive
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        kwargs = {"filepath": self.filepath, "recursive": self.recursive, "poke_interval": self.poke_interval}
        return "brisa.sdk.triggers.file.FileTrigger", kwargs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while True:
            found = await asyncio.to_thread(self._find)
            if found is not None:
                self.log.info("Found file %s last modified: %s", found[0], found[1])
                yield TriggerEvent(True)
                return
            await asyncio.sleep(self.poke_interval)

    def _find(self) -> tuple[str, datetime.datetime] | None:
        for path in glob.glob(self.filepath, recursive=self.recursive):
            if os.path.isfile(path):
                mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.UTC)
                return path, mtime
            for _, _, files in os.walk(path):
                if files:
                    return path, datetime.datetime.now(datetime.UTC)
        return None


__all__ = ["FileTrigger"]
