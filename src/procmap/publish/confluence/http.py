"""The HTTP layer under the Confluence API: authentication, retries and
errors people can act on. Every request goes through `Http.request`.

The token goes into the Authorization header only; no message, log line or
exception text built here contains headers.
"""

from __future__ import annotations

import base64
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

RETRIED = frozenset({429, 500, 502, 503, 504})
# Repeating these cannot do a thing twice: GET reads, PUT carries the next
# version number (a repeat is refused with 409), DELETE of a deleted page is 404.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class ConfluenceError(Exception):
    """Confluence refused a request, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str | None  # Cloud: the account's email; None: a bearer token (Data Center PAT)
    token: str = field(repr=False)

    def header(self) -> str:
        if self.user is None:
            return f"Bearer {self.token}"
        pair = f"{self.user}:{self.token}".encode()
        return "Basic " + base64.b64encode(pair).decode()


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date
    (RFC 9110 10.2.3); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_message(response: httpx.Response) -> str:
    """The server's own words from either envelope: v2 `{"errors": [{title,
    detail}]}` or v1 `{"statusCode", "message"}`."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(data, dict):
        if isinstance(data.get("errors"), list) and data["errors"]:
            first = data["errors"][0]
            if isinstance(first, dict):
                return str(first.get("detail") or first.get("title") or first.get("code", ""))
        if data.get("message"):
            return str(data["message"])
    return response.text.strip()[:200]


_ADVICE = {
    401: "check CONFLUENCE_USER and CONFLUENCE_TOKEN: on Cloud your Atlassian email and an "
         "API token, on Data Center a personal access token and no user",
    403: "the user may not do this: check its permissions in the space and on the page "
         "(page restrictions included)",
    404: "check --url (Cloud: https://SITE.atlassian.net/wiki; Data Center: with its context "
         "path, if any), --space and that the user can see the page",
    410: "this API is gone from the server: Confluence Cloud removed the v1 content endpoints, "
         "so use --flavour cloud for Cloud sites",
}


@dataclass
class Http:
    """One Confluence site. `base` is the site's root: `https://SITE.atlassian.net/wiki`
    or the Data Center URL with its context path. `sleep` and `max_wait` are
    there for tests and impatient CI jobs."""

    base: str
    credentials: Credentials
    attempts: int = 5
    max_wait: float = 60.0
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] | None = None  # each request, for --verbose
    warn: Callable[[str], None] | None = None  # each retry, so a wait is never silent
    _client: httpx.Client | None = None

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False,
                headers={"Authorization": self.credentials.header(),
                         "Accept": "application/json", "User-Agent": "procmap"})
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def request(self, method: str, path: str, what: str, *,
                params: Mapping[str, str | int] | None = None, json: Any = None,
                files: Mapping[str, tuple[str, bytes, str]] | None = None,
                headers: Mapping[str, str] | None = None,
                ok: tuple[int, ...] = (200, 201, 204)) -> httpx.Response:
        """Send one request, retrying what is safe to retry; `what` names the
        page or object in errors. A status outside `ok` raises ConfluenceError."""
        url = path if path.startswith("http") else self.base + path
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = self.client().request(method, url, params=params, json=json,
                                                 files=files, headers=headers)
            except httpx.TransportError as e:
                # A request that never connected was never seen: safe to repeat.
                # Otherwise only an idempotent one is.
                never_sent = isinstance(e, httpx.ConnectError | httpx.ConnectTimeout)
                if last or not (never_sent or method in IDEMPOTENT):
                    raise ConfluenceError(
                        f"{what}: no answer from {self.base} ({type(e).__name__}: {e}). "
                        "Pages already written are complete; run publish again to finish."
                    ) from None
                self._wait(attempt, None, f"{what}: {type(e).__name__}")
                continue
            if self.log:
                self.log(f"{method} {response.url.raw_path.decode()} -> {response.status_code}")
            if response.status_code in ok:
                return response
            # 429 means the request was refused before it was run, so even a
            # POST may be repeated; a 5xx may have done part of the work.
            retry = response.status_code == 429 or (
                response.status_code in RETRIED and method in IDEMPOTENT)
            if retry and not last:
                self._wait(attempt, retry_after(response.headers.get("Retry-After")),
                           f"{what}: Confluence answered {response.status_code}")
                continue
            raise self.error(response, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, asked: float | None, why: str) -> None:
        seconds = min(self.max_wait, asked if asked is not None else 2.0 ** (attempt - 1))
        if self.warn:
            self.warn(f"{why}; retrying in {seconds:g} s ({attempt}/{self.attempts - 1})")
        self.sleep(seconds)

    def error(self, response: httpx.Response, what: str) -> ConfluenceError:
        status = response.status_code
        said = error_message(response)
        advice = _ADVICE.get(status, "")
        if status == 429:
            advice = "Confluence is still rate-limiting after retries; run again later"
        elif status >= 500:
            advice = "Confluence failed; run again later, the next run completes the job"
        text = f"{what}: Confluence answered {status}"
        text += f" ({said})" if said else ""
        return ConfluenceError(f"{text}. {advice[:1].upper()}{advice[1:]}".rstrip(". ") + ".",
                               status)
