"""Asking hosts about URLs: HEAD, then GET when HEAD is refused; redirects followed hop by
hop; retries with backoff on 429/502/503/504 and timeouts, honouring ``Retry-After``; a
bounded number of requests in flight, and per host.

The standard library is enough: ``urllib.request`` (which honours ``HTTP(S)_PROXY`` and
``NO_PROXY``, as CI runners need) with redirects turned off so each hop is seen, and a thread
pool; requests spend their time waiting on the network, so threads are the simple fit.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

REDIRECTS = frozenset((301, 302, 303, 307, 308))
PERMANENT = frozenset((301, 308))
RETRY_STATUS = frozenset((429, 502, 503, 504))
# Answers that mean "not for robots" or "log in first", not "gone": never reported as broken.
ACCESS_DENIED = frozenset((401, 403, 407, 999))


@dataclass
class Outcome:
    """What a URL answered, after redirects and retries.

    ``status`` is the final HTTP status (None when no answer came); ``error`` is ``dns``,
    ``tls``, ``timeout``, ``refused``, ``connection`` or ``redirects`` (too many); ``hops`` the
    redirects followed, ``[status, from, to]`` each.
    """

    url: str
    status: int | None = None
    error: str | None = None
    detail: str = ""
    hops: list = field(default_factory=list)
    checked: float = 0.0
    attempts: int = 1

    @property
    def definitive(self) -> bool:
        """Whether the answer will still hold tomorrow (and may be cached)."""
        if self.error is not None:
            return self.error in ("dns", "redirects")
        return self.status is not None and self.status < 500 and self.status != 429

    @property
    def final_url(self) -> str:
        return self.hops[-1][2] if self.hops else self.url

    def permanent_target(self) -> str | None:
        """Where the leading permanent redirects (301/308) lead: the address to write instead."""
        target = None
        for status, _, to in self.hops:
            if status not in PERMANENT:
                break
            target = to
        return target

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Outcome":
        return cls(**{k: data[k] for k in ("url", "status", "error", "detail", "hops", "checked", "attempts") if k in data})


@dataclass
class Answer:
    """One response (or failure) of one request."""

    status: int | None = None
    location: str | None = None
    retry_after: str | None = None
    error: str | None = None
    detail: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        return None  # every hop is followed by hand, so each is seen


@dataclass
class Policy:
    timeout: float = 10.0
    concurrency: int = 8
    per_host: int = 2
    retries: int = 2
    max_retry_after: float = 60.0
    max_redirects: int = 10
    user_agent: str = "talklint"
    backoff: float = 1.0  # first wait after a 429/503 without Retry-After; doubled each time


class _Host:
    """Requests in flight to one host, and when the host may be asked again (after 429)."""

    def __init__(self, limit: int):
        self.slots = threading.Semaphore(limit)
        self.lock = threading.Lock()
        self.not_before = 0.0

    def hold_off(self, until: float) -> None:
        with self.lock:
            self.not_before = max(self.not_before, until)


class Checker:
    """Checks URLs; ``sleep`` and ``clock`` can be replaced (tests)."""

    def __init__(self, policy: Policy, opener=None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, context: ssl.SSLContext | None = None):
        self.policy = policy
        self.sleep = sleep
        self.clock = clock
        self.opener = opener or urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPSHandler(context=context or ssl.create_default_context()))
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self.requests = 0  # requests sent, for tests and the run's note

    def check_all(self, urls: Iterable[str]) -> dict[str, Outcome]:
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        with ThreadPoolExecutor(max_workers=min(self.policy.concurrency, len(urls))) as pool:
            return dict(zip(urls, pool.map(self.check, urls)))

    def check(self, url: str) -> Outcome:
        outcome = Outcome(url, checked=self.clock())
        current = url
        for _ in range(self.policy.max_redirects + 1):
            answer, attempts = self._ask(current)
            outcome.attempts += attempts - 1
            if answer.error is not None:
                outcome.error, outcome.detail = answer.error, answer.detail
                return outcome
            if answer.status in REDIRECTS and answer.location:
                target = urllib.parse.urljoin(current, answer.location.strip())
                outcome.hops.append([answer.status, current, target])
                current = target
                continue
            outcome.status, outcome.detail = answer.status, answer.detail
            return outcome
        outcome.error, outcome.detail = "redirects", f"more than {self.policy.max_redirects} redirects"
        return outcome

    # -- one URL, one hop ----------------------------------------------------------------------

    def _ask(self, url: str) -> tuple[Answer, int]:
        """HEAD (GET when HEAD is refused), retried on 429/502/503/504 and timeouts."""
        host = self._host(url)
        answer = Answer()
        for attempt in range(self.policy.retries + 1):
            answer = self._head_then_get(url, host)
            if attempt == self.policy.retries:
                break
            if answer.status in RETRY_STATUS:
                delay = self._delay(answer.retry_after, attempt)
                if delay is None:
                    break  # the host asks for a longer pause than we are willing to make
                host.hold_off(self.clock() + delay)
                continue
            if answer.error != "timeout":
                break
        return answer, attempt + 1

    def _head_then_get(self, url: str, host: _Host) -> Answer:
        answer = self._request("HEAD", url, host)
        # Many servers refuse HEAD (405, 501) or answer it differently from GET (403, 404 on
        # some CDNs): a failing HEAD is confirmed with GET before anything is reported.
        if answer.status is not None and answer.status >= 400 and answer.status not in RETRY_STATUS:
            return self._request("GET", url, host)
        return answer

    def _delay(self, retry_after: str | None, attempt: int) -> float | None:
        delay = _parse_retry_after(retry_after, self.clock())
        if delay is None:
            delay = self.policy.backoff * (2 ** attempt)
        return delay if delay <= self.policy.max_retry_after else None

    def _host(self, url: str) -> _Host:
        key = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            if key not in self._hosts:
                self._hosts[key] = _Host(self.policy.per_host)
            return self._hosts[key]

    def _request(self, method: str, url: str, host: _Host) -> Answer:
        with host.slots:
            wait = host.not_before - self.clock()
            if wait > 0:
                self.sleep(wait)
            with self._lock:
                self.requests += 1
            return self._send(method, url)

    def _send(self, method: str, url: str) -> Answer:
        request = urllib.request.Request(url, method=method, headers={
            "User-Agent": self.policy.user_agent, "Accept": "*/*"})
        try:
            with self.opener.open(request, timeout=self.policy.timeout) as response:
                return Answer(response.status, response.headers.get("Location"))
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.headers.get("Location"), exc.headers.get("Retry-After"),
                            detail=f"{exc.code} {exc.reason}")
            exc.close()
            return answer
        except urllib.error.URLError as exc:
            return _failure(exc.reason)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return _failure(exc)


def _failure(reason) -> Answer:
    """An Answer for a request that got no HTTP response."""
    if isinstance(reason, socket.gaierror):
        return Answer(error="dns", detail="the host name does not resolve")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return Answer(error="tls", detail=f"certificate not valid: {reason.verify_message or reason.reason}")
    if isinstance(reason, ssl.SSLError):
        return Answer(error="tls", detail=f"TLS error: {reason.reason or reason}")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return Answer(error="timeout", detail="no answer in time")
    if isinstance(reason, ConnectionRefusedError):
        return Answer(error="refused", detail="connection refused")
    if isinstance(reason, ConnectionResetError):
        return Answer(error="connection", detail="connection reset")
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return Answer(error="connection", detail=str(text))


def _parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)
