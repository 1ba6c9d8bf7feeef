"""The HTTP layer under the Confluence API: authentication, retries and
errors people can act on. Every request goes through `Http.request`.

The token goes into the Authorization header only. Every message that
leaves this layer (errors, retry warnings, --verbose lines) goes through
`Http.say`, which blanks the token, the Authorization value and a password
written into the URL, whatever put them there (an exception text, or a
server repeating them).
"""

from __future__ import annotations

import base64
import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import httpx

from procmap.printable import one_line
from procmap.publish.confluence.deadline import Deadline, transport
from procmap.publish.target import TargetError

MB = 1 << 20
ERROR_BODY = 1 << 16  # of an error answer, only the start is shown: more is not read
RETRIED = frozenset({429, 500, 502, 503, 504})
# Repeating these cannot do a thing twice: GET reads, PUT carries the next
# version number (a repeat is refused with 409), DELETE of a deleted page is 404.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class ConfluenceError(TargetError):
    """Confluence refused a request, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
HIDDEN = "***"


@dataclass(frozen=True, slots=True)
class Credentials:
    user: str | None  # Cloud: the account's email; None: a bearer token (Data Center PAT)
    token: str = field(repr=False)

    def __post_init__(self) -> None:
        # Checked before any request: httpx refuses such a header only when it
        # sends, as a network error that is retried, and its message quotes
        # the header. The value itself is never repeated here.
        for value, name in ((self.user or "", "the user (CONFLUENCE_USER or --user)"),
                            (self.token, "the token (CONFLUENCE_TOKEN or --token)")):
            if _CONTROL.search(value):
                end = " at its end" if not _CONTROL.search(value.rstrip("\r\n")) else ""
                raise ConfluenceError(f"{name} contains a control character{end} (a line "
                                      "break copied with it?): set it again without it")
        # A bearer token goes into the header as it is (with a user, both are
        # base64-encoded): a header value is ASCII, without spaces at its ends.
        if self.user is None and not self.token.isascii():
            raise ConfluenceError("the token (CONFLUENCE_TOKEN or --token) contains a "
                                  "character outside ASCII: a token never does; set it again")
        if self.user is None and self.token != self.token.strip():
            raise ConfluenceError("the token (CONFLUENCE_TOKEN or --token) starts or ends "
                                  "with a space: set it again without it")

    def secrets(self) -> tuple[str, ...]:
        """What must never be printed: the token and the header that carries it."""
        return (self.token, self.header().split(" ", 1)[1])

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
    if value.isascii() and value.isdigit():  # isdigit alone takes "²" and other scripts
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def shown(url: str) -> str:
    """`url` fit to print: a password written into it is blanked."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{HIDDEN}@{host}"))


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole answer, read within the size and time limits."""

    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def _words(text: str) -> str:
    """A server's words, fit for a terminal or a CI log: one line, at most 200
    characters."""
    return one_line(text.strip()[:200])


def error_message(answer: Answer) -> str:
    """The server's own words from either envelope: v2 `{"errors": [{title,
    detail}]}` or v1 `{"statusCode", "message"}`, fit to print."""
    try:
        data = answer.json()
    except (ValueError, RecursionError):
        return _words(answer.text)
    if isinstance(data, dict):
        if isinstance(data.get("errors"), list) and data["errors"]:
            first = data["errors"][0]
            if isinstance(first, dict):
                return _words(str(first.get("detail") or first.get("title")
                                     or first.get("code", "")))
        if data.get("message"):
            return _words(str(data["message"]))
    return _words(answer.text)


def _size(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n / 1024:g} KB"


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
    or the Data Center URL with its context path. `sleep`, `clock` and
    `max_wait` are there for tests and impatient CI jobs.

    Time is bounded three ways: `timeout` for each socket operation,
    `request_timeout` for a whole request (connecting to the last byte of the
    answer), `run_timeout` for everything from the first request on, retry
    waits included. An answer is read up to `max_body` bytes."""

    base: str
    credentials: Credentials
    attempts: int = 5
    max_wait: float = 60.0
    timeout: float = 30.0
    request_timeout: float = 120.0
    run_timeout: float = 3600.0
    max_body: int = 16 * MB
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    log: Callable[[str], None] | None = None  # each request, for --verbose
    warn: Callable[[str], None] | None = None  # each retry, so a wait is never silent
    _client: httpx.Client | None = None
    _deadline: Deadline | None = None
    _end: float | None = None  # when the run must be over

    def say(self, text: str) -> str:
        """`text` fit to print: the one place secrets are blanked."""
        try:
            password = urlsplit(self.base).password
        except ValueError:
            password = None
        secrets = [*self.credentials.secrets(), *([password, quote(password, safe=""),
                                                     unquote(password)] if password else [])]
        text = text.replace(self.base, shown(self.base))
        # Longest first, so that a secret holding another is blanked whole; a
        # value of a character or two would blank half the message and
        # protects nothing.
        for secret in sorted(set(secrets), key=len, reverse=True):
            if len(secret) >= 3:
                text = text.replace(secret, HIDDEN)
        return text

    def client(self) -> httpx.Client:
        if self._client is None:
            self._deadline = Deadline(self.clock)
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=False,
                transport=transport(self._deadline, self.base),
                headers={"Authorization": self.credentials.header(),
                         "Accept": "application/json", "User-Agent": "procmap"})
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def request(self, method: str, path: str, what: str, *,
                params: Mapping[str, str | int] | None = None, json: Any = None,
                files: Mapping[str, tuple[str, bytes, str]] | None = None,
                data: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None,
                ok: tuple[int, ...] = (200, 201, 204)) -> Answer:
        """Send one request, retrying what is safe to retry; `what` names the
        page or object in errors. A status outside `ok` raises ConfluenceError."""
        # `path` is under the site, or a URL `link` made: checked again, as
        # paths hold ids from answers.
        url = self._on_site(path if urlsplit(path).scheme else self.base + path, path, what)
        if self._end is None:
            self._end = self.clock() + self.run_timeout
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                answer = self._send(method, url, what, ok, params=params, json=json,
                                    files=files, data=data, headers=headers)
            except httpx.TransportError as e:
                if self.clock() >= self._end:
                    raise self._late(what) from None
                # A request that never connected was never seen: safe to repeat.
                # Otherwise only an idempotent one is.
                never_sent = isinstance(e, httpx.ConnectError | httpx.ConnectTimeout)
                if last or not (never_sent or method in IDEMPOTENT):
                    raise ConfluenceError(self.say(
                        f"{what}: no answer from {self.base} ({type(e).__name__}: {e}). "
                        "Pages already written are complete; run publish again to finish."
                    )) from None
                self._wait(attempt, None, what, type(e).__name__)
                continue
            if answer.status in ok:
                return answer
            # 429 means the request was refused before it was run, so even a
            # POST may be repeated; a 5xx may have done part of the work.
            retry = answer.status == 429 or (answer.status in RETRIED and method in IDEMPOTENT)
            if retry and not last:
                self._wait(attempt, retry_after(answer.headers.get("Retry-After")), what,
                           f"Confluence answered {answer.status}")
                continue
            raise self.error(answer, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, what: str, ok: tuple[int, ...],
              **options: Any) -> Answer:
        """One request and its whole answer, within the time and size limits."""
        client = self.client()
        assert self._deadline is not None and self._end is not None
        limit = min(self.clock() + self.request_timeout, self._end)
        self._deadline.at = limit
        self._deadline.why = (f"no whole answer within {self.request_timeout:g} s "
                              "(--request-timeout)" if limit < self._end else
                              f"publish ran out of its {self.run_timeout:g} s (--run-timeout)")
        try:
            with client.stream(method, url, **options) as response:
                if self.log:
                    self.log(self.say(f"{method} {response.url.raw_path.decode()} -> "
                                      f"{response.status_code}"))
                # Of an error only the start is shown, so the rest is not read.
                cap = self.max_body if response.status_code in ok else ERROR_BODY
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cap:
                        if response.status_code in ok:
                            raise ConfluenceError(self.say(
                                f"{what}: Confluence's answer is larger than {_size(cap)}; "
                                "procmap stopped reading it. Check --url (a proxy in "
                                "between?)."))
                        break
                return Answer(response.status_code, response.headers, bytes(body[:cap]))
        except UnicodeEncodeError:
            # A title or option with a lone surrogate: a file name or argument
            # that was not UTF-8.
            raise ConfluenceError(self.say(
                f"{what}: cannot be sent, it holds text that is not valid Unicode (bytes "
                "that were not UTF-8?): fix the title or option")) from None
        except httpx.DecodingError as e:
            raise ConfluenceError(self.say(
                f"{what}: Confluence's answer cannot be decoded ({e}). Check --url (a "
                "proxy in between?).")) from None
        except httpx.TimeoutException as e:
            if self.clock() < limit:
                raise
            # the socket's own "timed out": say which limit it was
            raise type(e)(self._deadline.why) from None
        finally:
            self._deadline.at = None

    def _late(self, what: str) -> ConfluenceError:
        return ConfluenceError(self.say(
            f"{what}: publish ran out of its {self.run_timeout:g} s (--run-timeout) and "
            "stopped. Pages already written are complete; run publish again to finish."))

    def link(self, link: str, what: str, *, from_host: bool = False) -> str:
        """The URL a link in an answer names: a path from the site's root
        (`from_host`, Cloud's v2 links: `/wiki/...`) or from its base URL (v1
        links), or an absolute URL. Parsed as a browser would, never glued on
        as text. The root is the host, or, behind the API gateway, the
        gateway's prefix (`/ex/confluence/CLOUD_ID`), which v2 links leave out."""
        root = self.base.removesuffix("/wiki") if from_host else self.base
        if link.startswith("/") and not link.startswith("//"):
            return self._on_site(root + link, link, what)
        return self._on_site(urljoin(self.base + "/", link), link, what)

    def _on_site(self, url: str, given: str, what: str) -> str:
        """`url`, if it is on the site: its scheme, host, port and base path.
        The credentials go with every request, so a link elsewhere is an
        error, never a request."""
        site = httpx.URL(self.base)
        try:
            there: httpx.URL | None = httpx.URL(url)
        except httpx.InvalidURL:
            there = None
        root = site.path.rstrip("/")
        if (there is None
                or (there.scheme, there.host, there.port, there.userinfo)
                != (site.scheme, site.host, site.port, site.userinfo)
                or not (there.path == root or there.path.startswith(root + "/"))
                or ".." in there.path.split("/")):
            raise ConfluenceError(self.say(
                f"{what}: Confluence's answer links to {given!r}, outside the site {self.base}; "
                "procmap sends the credentials to that site only. Check --url: it must be "
                "the address the site gives itself (its base URL)."))
        return url

    def _wait(self, attempt: int, asked: float | None, what: str, why: str) -> None:
        seconds = min(self.max_wait, asked if asked is not None else 2.0 ** (attempt - 1))
        assert self._end is not None
        if self.clock() + seconds >= self._end:  # no use waiting to fail
            raise self._late(what)
        if self.warn:
            self.warn(self.say(f"{what}: {why}; retrying in {seconds:g} s "
                               f"({attempt}/{self.attempts - 1})"))
        self.sleep(seconds)

    def error(self, answer: Answer, what: str) -> ConfluenceError:
        status = answer.status
        said = error_message(answer)
        advice = _ADVICE.get(status, "")
        if status == 429:
            advice = "Confluence is still rate-limiting after retries; run again later"
        elif status >= 500:
            advice = "Confluence failed; run again later, the next run completes the job"
        elif 300 <= status < 400:
            # Not followed: the credentials would go with the request.
            advice = ("a redirect, which procmap does not follow: give --url as the address "
                      "the site redirects to")
        text = f"{what}: Confluence answered {status}"
        text += f" ({said})" if said else ""
        return ConfluenceError(self.say(
            f"{text}. {advice[:1].upper()}{advice[1:]}".rstrip(". ") + "."), status)
