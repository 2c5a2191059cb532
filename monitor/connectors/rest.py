"""REST APIs returning JSON: pagination, timeouts, retries on 5xx and connection errors.

Auth headers come from the `http` connection (`headers:` values are secrets,
usually `${ENV_VAR}`). An API that stays unreachable raises
`ConnectionFailedError` naming the connection and the URL without credentials.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from monitor.config.base import Duration, Model
from monitor.connectors.base import IOContext, ReadResult, Rejected
from monitor.connectors.jsonfile import records_of, to_frame
from monitor.connectors.typing import ColumnType, frame_columns
from monitor.errors import ConnectionFailedError, DataError, UsageError
from monitor.lineage.naming import http_dataset

if TYPE_CHECKING:
    import httpx

    from monitor.config.project import HttpConnection


class Pagination(Model):
    """How to get the next page: `page` (page=1,2,...), `offset` (offset=0,n,...),
    `next` (the body holds the next URL under `next_key`), or `none`."""

    type: Literal["none", "page", "offset", "next"] = "none"
    param: str = "page"  # page or offset parameter
    size_param: str | None = "per_page"
    size: int = Field(default=100, ge=1)
    next_key: str = "next"
    max_pages: int = Field(default=10_000, ge=1)


class HttpSource(Model):
    type: Literal["http"] = "http"
    connection: str
    path: str = "/"
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    records: str | None = None  # key of the records in each page ("data"); None: the body
    pagination: Pagination = Pagination()
    columns: dict[str, ColumnType] = Field(default_factory=dict)
    backoff: Duration = timedelta(milliseconds=500)  # first retry delay, doubled each time

    def read(self, ctx: IOContext) -> ReadResult:
        import httpx

        conn = ctx.connection(self.connection)
        if conn.type != "http":
            raise UsageError(f"connection {self.connection!r} is {conn.type!r}, not http")
        shown = f"{self.connection}:{self.path}"
        headers = {k: v.get_secret_value() for k, v in conn.headers.items()}
        items: list[dict[str, Any]] = []
        rejected: list[Rejected] = []
        with httpx.Client(
            base_url=conn.base_url, headers=headers, timeout=conn.timeout.total_seconds()
        ) as client:
            for number, body in enumerate(self._pages(client, conn), start=1):
                got, bad = records_of(body, self.records, f"page {number}", shown)
                items += got
                rejected += bad
        rows_in = len(items) + len(rejected)
        frame, bad_values = to_frame(items, self.columns)
        rejected += bad_values
        dataset = http_dataset(conn.base_url, self.path, connection=self.connection)
        dataset = type(dataset)(
            dataset.namespace,
            dataset.name,
            dataset.connection,
            dataset.table,
            frame_columns(frame),
        )
        return ReadResult(frame=frame, dataset=dataset, rows_in=rows_in, rejected=rejected)

    def _pages(self, client: httpx.Client, conn: HttpConnection) -> Any:
        paging = self.pagination
        params: dict[str, Any] = dict(self.params)
        if paging.type in ("page", "offset") and paging.size_param:
            params[paging.size_param] = paging.size
        url: str | None = self.path
        position = 1 if paging.type == "page" else 0
        for _ in range(paging.max_pages):
            if paging.type in ("page", "offset"):
                params[paging.param] = position
            assert url is not None
            body = self._get(client, conn, url, params)
            yield body
            if paging.type == "none":
                return
            if paging.type == "next":
                url = body.get(paging.next_key) if isinstance(body, dict) else None
                params = {}
                if not url:
                    return
                continue
            count = _count(body, self.records)
            if count < paging.size:
                return
            position += 1 if paging.type == "page" else count
        raise DataError(f"{self.connection}:{self.path}", f"more than {paging.max_pages} pages")

    def _get(
        self, client: httpx.Client, conn: HttpConnection, url: str, params: dict[str, Any]
    ) -> Any:
        import httpx

        delay = self.backoff.total_seconds()
        reason = ""
        for attempt in range(conn.retries + 1):
            if attempt:
                time.sleep(delay * 2 ** (attempt - 1))
            try:
                response = client.get(url, params=params or None)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if response.status_code >= 500:
                reason = f"HTTP {response.status_code} {response.reason_phrase}"
                continue
            if response.status_code >= 400:
                raise DataError(
                    f"{self.connection}:{self.path}",
                    f"HTTP {response.status_code} {response.reason_phrase} from "
                    f"{conn.safe_url}{url if url.startswith('/') else ''}",
                )
            try:
                return response.json()
            except ValueError as exc:
                raise DataError(
                    f"{self.connection}:{self.path}", f"the response is not JSON: {exc}"
                ) from exc
        tries = conn.retries + 1
        raise ConnectionFailedError(
            self.connection,
            conn.safe_url,
            f"{reason} (after {tries} attempt{'s' if tries != 1 else ''})",
        )


def _count(body: Any, key: str | None) -> int:
    if key is not None and isinstance(body, dict):
        body = body.get(key, [])
    return len(body) if isinstance(body, list) else 0
