"""What a file's findings depend on besides its text, its path and the configuration.

Some rules read the file system (does the image exist? which anchors does the linked page
have?) or the link cache. Their findings for a file can change while the file does not, so the
content cache (:mod:`talklint.cache`) may reuse them only if everything they read still reads
the same. While a file is analysed, each such read is *recorded* as a probe ``(kind, key,
value)``; before a cached result is reused, every probe is *validated*: the validator
registered for its kind computes the value afresh, and any difference means "lint again".

A probe must be recorded on every read, also when the reading code answers from a memo of its
own, or a file whose answer came from the memo would look as if it read nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

Probe = tuple[str, Any, Any]  # (kind, key, value): all picklable and comparable with ==

_recording: list[Probe] | None = None
_validating: dict | None = None  # the memo of the validation under way
_validators: dict[str, Callable[[Any], Any]] = {}
_FAILED = object()


def validator(kind: str):
    """Register ``function(key) -> value``, which recomputes a probe of ``kind``."""

    def register(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _validators[kind] = function
        return function

    return register


def record(kind: str, key: Any, value: Any) -> None:
    if _recording is not None:
        _recording.append((kind, key, value))


@contextmanager
def recording() -> Iterator[list[Probe]]:
    """Collect the probes recorded inside the block (one file's analysis)."""
    global _recording
    outer, _recording = _recording, []
    try:
        yield _recording
    finally:
        _recording = outer


def remembered(memo: dict, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per ``memo`` and ``key``, its probes recorded on every call."""
    if key not in memo:
        with recording() as read:
            value = compute()
        memo[key] = (value, tuple(read))
    value, read = memo[key]
    for probe in read:
        record(*probe)
    return value


def shared() -> dict:
    """A memo for validators, shared while :func:`still_valid` runs with one memo (a run), for
    work that many keys have in common, such as the real path of a parent folder; a fresh one
    outside. Keys must not look like probe slots: start them with ``~``."""
    return _validating if _validating is not None else {}


def still_valid(probes: tuple[Probe, ...] | list[Probe], memo: dict) -> bool:
    """Whether every probe still gives its recorded value. ``memo`` is shared by one run, so a
    folder that many pages look into is listed once."""
    global _validating
    outer, _validating = _validating, memo
    try:
        return _still_valid(probes, memo)
    finally:
        _validating = outer


def _still_valid(probes, memo: dict) -> bool:
    for kind, key, value in probes:
        slot = (kind, key)
        if slot not in memo:
            function = _validators.get(kind)
            if function is None:  # recorded by a module this process has not loaded: unknown
                return False
            try:
                memo[slot] = function(key)
            except Exception:
                memo[slot] = _FAILED
        if memo[slot] is _FAILED or memo[slot] != value:
            return False
    return True
