"""The online link check against HTTP(S) servers started here, on 127.0.0.1: never the internet.

Covered: 200, 404, 410, 301/308 (and 302, not reported), 429 with Retry-After, 503 then 200,
HEAD refused (405) then GET, a timeout, a refused connection, a host that does not resolve, a
TLS error, the cache (a hit sends no request; an entry past its TTL is asked again), and the
whole path through `talklint check --check-links` with suppressions and fixes.
"""

from __future__ import annotations

import http.server
import json
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from talklint.cli import cli
from talklint.online.cache import LinkCache
from talklint.online.http import Checker, Outcome, Policy, _parse_retry_after
from talklint.online.rules import judge

DATA = Path(__file__).parent / "data" / "online"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head: bool):
        server = self.server
        path = self.path.split("?")[0]
        with server.lock:
            server.log.append((self.command, self.path))
            count = server.counts[path] = server.counts.get(path, 0) + 1
        route = {
            "/ok": (200, {}),
            "/missing": (404, {}),
            "/gone": (410, {}),
            "/moved": (301, {"Location": "/ok"}),
            "/moved308": (308, {"Location": "/ok"}),
            "/found": (302, {"Location": "/ok"}),
            "/loop": (301, {"Location": "/loop"}),
            "/moved-to-missing": (301, {"Location": "/missing"}),
            "/forbidden": (403, {}),
        }.get(path)
        if path == "/rate":
            route = (429, {"Retry-After": "1"}) if count == 1 else (200, {})
        elif path == "/flaky":
            route = (503, {}) if count == 1 else (200, {})
        elif path == "/always503":
            route = (503, {})
        elif path == "/nohead":
            route = (405, {}) if head else (200, {})
        elif path == "/slow":
            time.sleep(1.0)
            route = (200, {})
        status, headers = route or (404, {})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _start(tls: bool = False):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.log, server.counts, server.lock = [], {}, threading.Lock()
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(DATA / "selfsigned.pem", DATA / "selfsigned.key")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server


@pytest.fixture
def server():
    srv = _start()
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def tls_server():
    srv = _start(tls=True)
    srv.base = f"https://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


class _Sleeps:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


def _checker(**kw):
    sleeps = _Sleeps()
    policy = Policy(timeout=0.5, retries=2, backoff=0.01, max_retry_after=5, user_agent="talklint-test", **kw)
    return Checker(policy, sleep=sleeps), sleeps


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the checker ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path, status, code", [
    ("/ok", 200, None),
    ("/missing", 404, "TL430"),
    ("/gone", 410, "TL430"),
    ("/forbidden", 403, None),  # not for robots: not reported
])
def test_status(server, path, status, code):
    checker, _ = _checker()
    outcome = checker.check(server.base + path)
    assert (outcome.status, outcome.error) == (status, None)
    verdict = judge(outcome)
    assert (verdict.code if verdict else None) == code


def test_head_then_get_when_head_is_refused(server):
    checker, _ = _checker()
    outcome = checker.check(server.base + "/nohead")
    assert outcome.status == 200 and judge(outcome) is None
    assert server.log == [("HEAD", "/nohead"), ("GET", "/nohead")]


def test_404_is_confirmed_with_get(server):
    checker, _ = _checker()
    checker.check(server.base + "/missing")
    assert server.log == [("HEAD", "/missing"), ("GET", "/missing")]


@pytest.mark.parametrize("path, status", [("/moved", 301), ("/moved308", 308)])
def test_permanent_redirect(server, path, status):
    checker, _ = _checker()
    outcome = checker.check(server.base + path)
    assert outcome.status == 200
    assert outcome.hops == [[status, server.base + path, server.base + "/ok"]]
    verdict = judge(outcome)
    assert verdict.code == "TL436" and verdict.new_url == server.base + "/ok"
    assert f"({status})" in verdict.message


def test_temporary_redirect_is_followed_silently(server):
    checker, _ = _checker()
    outcome = checker.check(server.base + "/found")
    assert outcome.status == 200 and judge(outcome) is None


def test_redirect_to_a_missing_page_is_broken(server):
    checker, _ = _checker()
    verdict = judge(checker.check(server.base + "/moved-to-missing"))
    assert verdict.code == "TL430" and "redirected to" in verdict.message


def test_redirect_loop(server):
    checker, _ = _checker(max_redirects=3)
    outcome = checker.check(server.base + "/loop")
    assert outcome.error == "redirects" and judge(outcome).code == "TL434"


def test_429_honours_retry_after(server):
    checker, sleeps = _checker()
    outcome = checker.check(server.base + "/rate")
    assert outcome.status == 200 and outcome.attempts == 2
    assert [round(s) for s in sleeps.calls] == [1]  # waited as Retry-After asked
    assert judge(outcome) is None


def test_503_then_200_with_backoff(server):
    checker, sleeps = _checker()
    outcome = checker.check(server.base + "/flaky")
    assert outcome.status == 200 and outcome.attempts == 2
    assert len(sleeps.calls) == 1 and 0 < sleeps.calls[0] <= 0.02


def test_503_that_lasts(server):
    checker, _ = _checker()
    outcome = checker.check(server.base + "/always503")
    assert outcome.status == 503 and outcome.attempts == 3
    verdict = judge(outcome)
    assert verdict.code == "TL435" and "after 3 tries" in verdict.message
    assert not outcome.definitive  # never cached


def test_retry_after_longer_than_allowed_gives_up(server):
    checker, sleeps = _checker()
    checker.policy.max_retry_after = 0.5
    outcome = checker.check(server.base + "/rate")
    assert outcome.status == 429 and sleeps.calls == [] and judge(outcome).code == "TL435"


def test_timeout(server):
    checker, _ = _checker()
    checker.policy.timeout = 0.2
    checker.policy.retries = 1
    outcome = checker.check(server.base + "/slow")
    assert outcome.error == "timeout" and outcome.attempts == 2
    assert judge(outcome).code == "TL433"


def test_connection_refused():
    checker, _ = _checker()
    outcome = checker.check(f"http://127.0.0.1:{_closed_port()}/x")
    assert outcome.error == "refused" and judge(outcome).code == "TL434"


def test_dns_failure(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    checker, _ = _checker()
    outcome = checker.check("https://no-such-host.talklint.invalid/")
    assert outcome.error == "dns" and judge(outcome).code == "TL431"
    assert outcome.definitive


def test_tls_error(tls_server):
    checker, _ = _checker()
    outcome = checker.check(tls_server.base + "/ok")
    assert outcome.error == "tls" and judge(outcome).code == "TL432"
    assert "certificate" in outcome.detail


def test_per_host_limit(server):
    checker, _ = _checker(per_host=1, concurrency=4)
    active = {"now": 0, "max": 0}
    send = checker._send

    def counting(method, url):
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        try:
            time.sleep(0.02)
            return send(method, url)
        finally:
            active["now"] -= 1

    checker._send = counting
    checker.check_all([server.base + f"/ok?{i}" for i in range(6)])
    assert active["max"] == 1


def test_retry_after_http_date():
    now = 1_000_000_000.0
    assert _parse_retry_after("Sun, 09 Sep 2001 01:46:50 GMT", now) == 10.0
    assert _parse_retry_after("7", now) == 7.0
    assert _parse_retry_after("soon", now) is None


# -- the cache -----------------------------------------------------------------------------------

def test_cache_ttl(tmp_path):
    clock = [1000.0]
    cache = LinkCache(tmp_path, ttl=60, clock=lambda: clock[0])
    ok = Outcome("https://a.org/", status=200, checked=1000.0)
    cache.put(ok.url, ok)
    cache.put("https://b.org/", Outcome("https://b.org/", error="timeout", checked=1000.0))  # not kept
    assert cache.save() is None
    again = LinkCache(tmp_path, ttl=60, clock=lambda: clock[0])
    assert again.get(ok.url).status == 200 and again.get("https://b.org/") is None
    clock[0] += 61
    assert again.get(ok.url) is None


def test_cache_file_that_is_not_ours(tmp_path):
    (tmp_path / "links.json").write_text("not json", encoding="utf-8")
    assert LinkCache(tmp_path, ttl=60).get("https://a.org/") is None


# -- through `talklint check --check-links` -------------------------------------------------------

def _page(tmp_path: Path, base: str) -> Path:
    (tmp_path / "talklint.toml").write_text(
        "[link-check]\ntimeout = 0.5\nretries = 0\ncache-dir = \"cache\"\n", encoding="utf-8")
    page = tmp_path / "talk.md"
    page.write_text(
        "---\n"
        f"video_url: {base}/gone\n"
        "---\n"
        f"[Slides]({base}/ok) · [Video]({base}/missing) · [Code]({base}/moved#setup)\n"
        "\n"
        "<!-- talklint-disable-next-line TL430 -->\n"
        f"Known to be down: [Old demo]({base}/missing?old)\n"
        "\n"
        f"```\n{base}/missing-in-code\n```\n",
        encoding="utf-8")
    return page


def _run(*args):
    result = CliRunner().invoke(cli, ["check", "--no-color", "--output-format", "json", *args])
    return result.exit_code, json.loads(result.output or "[]")


def test_check_links_end_to_end(server, tmp_path):
    page = _page(tmp_path, server.base)
    code, findings = _run(str(page), "--check-links", "--select", "TL43", "-j", "1")
    text = page.read_text(encoding="utf-8").splitlines()
    got = sorted((f["line"], text[f["line"] - 1][f["column"] - 1:f["end_column"] - 1], f["code"]) for f in findings)
    assert got == [(2, f"{server.base}/gone", "TL430"), (4, f"{server.base}/missing", "TL430"),
                   (4, f"{server.base}/moved#setup", "TL436")], findings
    redirect = next(f for f in findings if f["code"] == "TL436")
    assert redirect["fix"]["edits"][0]["content"] == f"{server.base}/ok#setup"
    assert code == 1
    cached = json.loads((tmp_path / "cache" / "links.json").read_text(encoding="utf-8"))
    assert set(cached["entries"]) == {f"{server.base}{p}" for p in ("/gone", "/ok", "/missing", "/moved", "/missing?old")}

    # A second run asks nobody: every answer comes from the cache, the same findings come back.
    requests = len(server.log)
    _, again = _run(str(page), "--check-links", "--select", "TL43", "-j", "1")
    assert len(server.log) == requests
    assert sorted((f["line"], text[f["line"] - 1][f["column"] - 1:f["end_column"] - 1], f["code"])
                  for f in again) == got

    # ... and the permanent redirect, now known per file, is fixed by --fix --unsafe-fixes.
    CliRunner().invoke(cli, ["check", str(page), "--check-links", "--select", "TL436", "--fix", "--unsafe-fixes"])
    assert f"[Code]({server.base}/ok#setup)" in page.read_text(encoding="utf-8")


def test_no_request_without_check_links(server, tmp_path):
    page = _page(tmp_path, server.base)
    code, findings = _run(str(page), "--select", "TL43")
    assert findings == [] and server.log == [] and code == 0
