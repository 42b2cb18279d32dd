"""The online rules, TL430–TL436, and the run that feeds them (see :mod:`talklint.online`)."""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import probes
from ..finding import Applicability, Edit, Finding, Fix, Severity
from ..project import Collected, ProjectRule, Site, finding_at
from ..urls import LinkRef, builtin_hosts, link_refs

if TYPE_CHECKING:
    from .cache import LinkCache
    from .http import Outcome, Policy

# The link cache and the HTTP client (ssl, http.client, urllib.request, threads) are imported
# when links are checked: most runs never do, and they should not pay for those imports.

# -- what is checked ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One place that names a URL: what is requested, and where it is written."""

    request: str  # the URL as sent (fragment dropped, encoded)
    written: str  # the characters of the file at ``site``
    site: Site


@dataclass(frozen=True)
class Payload:
    """What a file hands to the online pass: the run's settings (the parent's rule objects
    never see a Context) and the file's URLs."""

    settings: object  # talklint.config.LinkCheckSettings
    cache_dir: str | None
    occurrences: tuple[Occurrence, ...]


def request_url(ref: LinkRef) -> str | None:
    """The URL to request for a reference, or None when it is not an http(s) URL to check."""
    from ..checks.links import placeholder_reason, url_problem

    if placeholder_reason(ref.url) or url_problem(ref.url, ref.kind):
        return None  # reported offline; asking a host about it tells nothing more
    raw = ref.url
    if ref.node is not None and ref.kind in ("inline", "reference") and ref.node.attrs.get("url"):
        raw = ref.node.attrs["url"]  # mistune's reading: escapes and entities resolved
    elif ref.kind == "html":
        raw = html.unescape(raw)
    raw = raw.strip()
    if not re.match(r"(?i)https?://", raw):
        return None
    try:
        parts = urllib.parse.urlsplit(raw)
        host = parts.hostname
        if not host:
            return None
        netloc = host.encode("idna").decode("ascii")
        if ":" in host:
            netloc = f"[{host}]"
        if parts.port is not None:
            netloc += f":{parts.port}"
    except (ValueError, UnicodeError):
        return None
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = urllib.parse.quote(parts.query, safe="=&%+/:?@!$'()*,;-._~")
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def occurrences(ctx, settings) -> list[Occurrence]:
    """The http(s) URLs of a file worth requesting, each at its place."""
    cached = ctx.shared.get("online.occurrences")
    if cached is not None:
        return cached
    exclude = [re.compile(p) for p in settings.exclude]
    out = []
    for ref in link_refs(ctx):
        if ref.body and ctx.document.is_code(ref.span.start):
            continue
        url = request_url(ref)
        if url is None or any(rx.search(url) for rx in exclude):
            continue
        out.append(Occurrence(url, ref.url, Site.of(ctx.source, ref.span.start, ref.span.end)))
    ctx.shared["online.occurrences"] = out
    return out


def _settings(ctx):
    settings = getattr(getattr(ctx, "config", None), "settings", None)
    return settings if settings is not None and getattr(settings, "check_links", False) else None


def _cache_dir(ctx, settings) -> str | None:
    if settings.link_check.cache_ttl <= 0:
        return None
    root = getattr(ctx.config, "root", None) or Path.cwd()
    return str(Path(root) / settings.link_check.cache_dir)


def _shared_cache(folder: str | None, ttl: float) -> LinkCache:
    """The cache as the per-file pass reads it: loaded once per process, again when the file
    changed (a later run in the same process, as in tests or editors)."""
    from .cache import FILE_NAME

    try:
        stamp = Path(folder, FILE_NAME).stat().st_mtime_ns if folder else 0
    except OSError:
        stamp = 0
    return _load_cache(folder, ttl, stamp)


@functools.lru_cache(maxsize=4)
def _load_cache(folder: str | None, ttl: float, stamp: int) -> LinkCache:
    from .cache import LinkCache

    return LinkCache(Path(folder) if folder else None, ttl)


# -- what an answer means -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    code: str
    message: str
    new_url: str | None = None  # the address to write instead (redirects)


def judge(outcome: Outcome) -> Verdict | None:
    """The finding an answer calls for, if any."""
    from .http import ACCESS_DENIED

    if outcome.error is not None:
        code = {"dns": "TL431", "tls": "TL432", "timeout": "TL433"}.get(outcome.error, "TL434")
        tries = f" (after {outcome.attempts} tries)" if outcome.attempts > 1 else ""
        return Verdict(code, f"Link not reachable: {outcome.detail}{tries}")
    status = outcome.status
    via = f" (redirected to {outcome.final_url})" if outcome.hops else ""
    if status is None or status < 300 and not outcome.hops:
        return None
    if status in (404, 410):
        gone = "gone" if status == 410 else "not found"
        return Verdict("TL430", f"Broken link: {status} {gone}{via}")
    if status == 429 or status >= 500:
        what = "rate limited" if status == 429 else "server error"
        return Verdict("TL435", f"The host answers {outcome.detail or status} ({what}, "
                                f"after {outcome.attempts} tries){via}")
    if 400 <= status < 500 and status not in ACCESS_DENIED:
        return Verdict("TL430", f"Broken link: {outcome.detail or status}{via}")
    return _redirect_verdict(outcome)


def _redirect_verdict(outcome: Outcome) -> Verdict | None:
    target = outcome.permanent_target()
    if target is None or outcome.status is None or outcome.status >= 400:
        return None
    first = outcome.hops[0]
    if _only_scheme_upgrade(outcome.url, first[2]):
        return Verdict("TL425", "", first[2])
    return Verdict("TL436", f"Permanent redirect ({first[0]}) to {target}", target)


def _only_scheme_upgrade(url: str, to: str) -> bool:
    return url.lower().startswith("http://") and to.lower().startswith("https://") and url[7:] == to[8:]


def _with_fragment(new_url: str, written: str) -> str:
    """Keep the fragment of the written URL, which the request did not carry."""
    fragment = written.partition("#")[2]
    if fragment and "#" not in new_url:
        return f"{new_url}#{fragment}"
    return new_url


def _safe_replacement(new_url: str) -> str | None:
    """``new_url`` written so that markdown and YAML read it back unchanged, or None."""
    text = new_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return None if re.search(r"\s|[\"'`\\]", text) else text


# -- the rules ----------------------------------------------------------------------------------


class OnlineRule(ProjectRule):
    """Base of the online rules. Findings come from the link cache in the per-file pass, and
    from the network in the cross-file pass."""

    def check(self, ctx):
        settings = _settings(ctx)
        if settings is None:
            return
        folder = _cache_dir(ctx, settings)
        for occ in occurrences(ctx, settings):
            outcome = _cached_outcome(folder, settings.link_check.cache_ttl, occ.request)
            verdict = judge(outcome) if outcome is not None else None
            if verdict is not None and verdict.code == self.code:
                yield make_finding(verdict, occ)

    def collect(self, ctx):
        settings = _settings(ctx)
        # One online rule collects for all of them: the URLs cross to the parent only once.
        if settings is None or ctx.shared.setdefault("online.collector", self.code) != self.code:
            return None
        folder = _cache_dir(ctx, settings)
        ttl = settings.link_check.cache_ttl
        todo = tuple(o for o in occurrences(ctx, settings)
                     if not _answered_per_file(_cached_outcome(folder, ttl, o.request)))
        return Payload(settings.link_check, folder, todo) if todo else None

    def finish(self, pages: list[Collected]) -> Iterable[Finding]:
        if not pages:
            return []
        return run_online(pages)


def _cached_outcome(folder: str | None, ttl: float, url: str) -> Outcome | None:
    """The link cache's answer for ``url``, as a probe: a file's per-file findings hold only
    while the link cache answers the same (entries expire, new ones are added)."""
    outcome = _shared_cache(folder, ttl).get(url)
    probes.record("link", (folder, ttl, url), outcome.to_dict() if outcome is not None else None)
    return outcome


@probes.validator("link")
def _cached_answer_now(key: tuple[str | None, float, str]) -> dict | None:
    folder, ttl, url = key
    outcome = _shared_cache(folder, ttl).get(url)
    return outcome.to_dict() if outcome is not None else None


def _answered_per_file(outcome: Outcome | None) -> bool:
    """Whether the per-file pass reported on an occurrence with this cached ``outcome`` (an
    online rule's verdict, or none at all); a cached TL425 verdict is the cross-file pass's."""
    if outcome is None:
        return False
    verdict = judge(outcome)
    return verdict is None or verdict.code in ONLINE


def make_finding(verdict: Verdict, occ: Occurrence, path: str | None = None) -> Finding:
    """The finding for ``verdict`` at ``occ``: positioned by the engine in the per-file pass
    (``path`` None), positioned here for the cross-file pass."""
    rule = ONLINE.get(verdict.code) or _insecure_rule()
    message = verdict.message
    if verdict.code == "TL425":
        host = urllib.parse.urlsplit(occ.request).hostname
        message = f"`http://` link: {host} answers with a redirect to https"
    fix = _fix(verdict, occ)
    if path is None:
        return Finding(code=rule.code, name=rule.name, message=message, start=occ.site.start,
                       end=occ.site.end, severity=rule.severity, fix=fix)
    found = finding_at(rule, message, path, occ.site)
    if fix is not None:
        found.fix = fix
        found.edit_positions = ((occ.site.line, occ.site.column, occ.site.end_line, occ.site.end_column),)
    return found


def _fix(verdict: Verdict, occ: Occurrence) -> Fix | None:
    if verdict.new_url is None:
        return None
    new = _safe_replacement(_with_fragment(verdict.new_url, occ.written))
    if new is None or new == occ.written:
        return None
    return Fix((Edit(occ.site.start, occ.site.end, new),), Applicability.UNSAFE, f"Write `{new}`")


@functools.lru_cache(maxsize=1)
def _insecure_rule():
    from ..checks.links import InsecureLink

    return InsecureLink


def run_online(pages: list[Collected]) -> list[Finding]:
    """Ask the hosts about every URL of ``pages`` once; a finding per place that names one."""
    from .cache import LinkCache
    from .http import Checker

    first: Payload = pages[0].data
    settings = first.settings
    cache = LinkCache(Path(first.cache_dir) if first.cache_dir else None, settings.cache_ttl)
    checker = Checker(policy_of(settings))
    urls = [o.request for page in pages for o in page.data.occurrences]
    todo = [u for u in dict.fromkeys(urls) if cache.get(u) is None]
    outcomes = checker.check_all(todo)
    for url, outcome in outcomes.items():
        cache.put(url, outcome)
    cache.save()
    offline_https = builtin_hosts().https
    found = []
    for page in pages:
        for occ in page.data.occurrences:
            outcome = outcomes.get(occ.request) or cache.get(occ.request)
            verdict = judge(outcome) if outcome is not None else None
            if verdict is None or (verdict.code == "TL425" and offline_https.match(occ.request)):
                continue  # TL425 reported this one offline already
            found.append(make_finding(verdict, occ, page.path))
    return found


def policy_of(settings) -> Policy:
    from .. import __version__
    from .http import Policy

    return Policy(timeout=settings.timeout, concurrency=settings.concurrency, per_host=settings.per_host,
                  retries=settings.retries, max_retry_after=settings.max_retry_after,
                  max_redirects=settings.max_redirects,
                  user_agent=settings.user_agent or f"talklint/{__version__} (link check)")


class BrokenLink(OnlineRule):
    """## What it does
    With `--check-links`, reports links whose host answers 404 Not Found, 410 Gone or another
    client error (400, 405 after GET, …). 401, 403, 407 and LinkedIn's 999 mean "not for
    robots" or "log in first", not "gone", and are never reported.

    ## Why is this bad?
    The slides, the video or the speaker's site is gone: the reader gets an error page.

    ## Example
    ```markdown
    [Slides](https://speakerdeck.com/ana/a-talk-that-was-deleted)
    ```
    Link the new location, an archived copy (web.archive.org), or drop the link.
    """

    code = "TL430"
    name = "broken-link"
    summary = "A link whose host answers 404, 410 or another client error (--check-links)"
    severity = Severity.ERROR


class UnknownHost(OnlineRule):
    """## What it does
    With `--check-links`, reports links whose host name does not resolve (DNS).

    ## Why is this bad?
    The domain expired or never existed (a typo in the host): nobody can open the link.

    ## Example
    ```markdown
    [Ana's blog](https://ana-blog.exmaple.org/)
    ```
    Use instead:
    ```markdown
    [Ana's blog](https://ana-blog.example.org/)
    ```
    """

    code = "TL431"
    name = "unknown-host"
    summary = "A link whose host name does not resolve (--check-links)"
    severity = Severity.ERROR


class TlsError(OnlineRule):
    """## What it does
    With `--check-links`, reports https links whose host fails the TLS handshake: an expired
    or self-signed certificate, a certificate for another name, an obsolete protocol.

    ## Why is this bad?
    Browsers show a full-page security warning instead of the page; most readers turn back.

    ## Example
    ```markdown
    [Workshop material](https://expired.example.org/workshop)
    ```
    Link another copy, or ask the site's owner to renew the certificate.
    """

    code = "TL432"
    name = "tls-error"
    summary = "An https link whose host fails the TLS handshake (--check-links)"
    severity = Severity.ERROR


class LinkTimeout(OnlineRule):
    """## What it does
    With `--check-links`, reports links whose host did not answer within `timeout` seconds,
    after the retries (`[tool.talklint.link-check]`).

    ## Why is this bad?
    The site may be down for good, or slow enough that readers give up. A timeout can also be
    the network of the machine running the check: it is a warning, and never cached.

    ## Example
    ```markdown
    [Demo](https://demo.example.org/)
    ```
    Check the site by hand; if it is gone, link an archived copy.
    """

    code = "TL433"
    name = "link-timeout"
    summary = "A link whose host does not answer in time (--check-links)"


class UnreachableLink(OnlineRule):
    """## What it does
    With `--check-links`, reports links whose host refuses or drops the connection, or sends
    the request round more redirects than `max-redirects`.

    ## Why is this bad?
    Nothing listens at that address any more, or the redirects loop: the reader gets an error.

    ## Example
    ```markdown
    [Live stream](http://stream.example.org:8080/)
    ```
    Link the current address of the stream or recording.
    """

    code = "TL434"
    name = "unreachable-link"
    summary = "A link whose host refuses the connection or loops (--check-links)"


class ServerError(OnlineRule):
    """## What it does
    With `--check-links`, reports links whose host still answers a server error (500–599) or
    429 Too Many Requests after the retries (waiting as `Retry-After` asks, up to
    `max-retry-after`).

    ## Why is this bad?
    The page cannot be read now; if the error lasts, the link is as good as broken. Server
    errors are never cached, so the next run asks again.

    ## Example
    ```markdown
    [Schedule](https://cfp.example.org/schedule/)
    ```
    Check again later; if the error lasts, link another copy.
    """

    code = "TL435"
    name = "server-error"
    summary = "A link whose host answers 5xx or 429 after retries (--check-links)"


class PermanentRedirect(OnlineRule):
    """## What it does
    With `--check-links`, reports links that the host answers with a permanent redirect (301
    or 308) to another address, and names the address they lead to. Temporary redirects
    (302, 303, 307) are followed and not reported. `http://` links redirected to the same
    address over `https://` are reported as TL425 (insecure-link) instead.

    ## Why is this bad?
    The host says the page has moved for good: the old address works until the redirect is
    dropped (domains change owners, sites are rebuilt), and every reader pays an extra round
    trip meanwhile.

    ## Example
    ```markdown
    [Slides](https://speakerdeck.com/ana/old-name)
    ```
    Use instead:
    ```markdown
    [Slides](https://speakerdeck.com/ana/new-name)
    ```

    ## Fix
    Writes the address the permanent redirects lead to, keeping the fragment (unsafe: check
    that it is the page meant, not a login page or a site's home page). A redirect found
    during a run is fixed by the next `--fix --unsafe-fixes` run, which reads it from the
    link cache.
    """

    code = "TL436"
    name = "permanent-redirect"
    summary = "A link that permanently redirects (301/308) elsewhere (--check-links)"
    fixable = "sometimes"


RULES = [BrokenLink, UnknownHost, TlsError, LinkTimeout, UnreachableLink, ServerError, PermanentRedirect]
ONLINE = {r.code: r for r in RULES}
