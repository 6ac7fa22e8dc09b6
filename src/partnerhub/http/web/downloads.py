"""CSV downloads of the pages (customers, activity): streamed in chunks, read in a transaction of their own
(the page's transaction has ended by the time the body streams)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from partnerhub.runtime import Runtime

CHUNK_BYTES = 64 * 1024


def csv_download(
    runtime: Runtime, filename: str, rows_of: Callable[[Session], Iterable[Sequence[Any]]]
) -> StreamingResponse:
    """A CSV file of the rows `rows_of(session)` yields, sent as it is read."""

    def chunks() -> Iterator[str]:
        with runtime.unit_of_work(write=False) as session:
            buf = io.StringIO()
            writer = csv.writer(buf)
            for row in rows_of(session):
                writer.writerow(row)
                if buf.tell() > CHUNK_BYTES:
                    yield buf.getvalue()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue()

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
