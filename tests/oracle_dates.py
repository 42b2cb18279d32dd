"""Span oracle entries for the dates rules (merged into oracle.ORACLE).

Written from the rules' specification, independently of talklint.when: each span must hold
exactly the date, time, range or value the message is about."""

import re

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_TEXT = re.compile(
    rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{4}}"
    rf"|{_MONTH}\s*{_DAY}(?:,?\s*\d{{4}})?|{_DAY}\s+{_MONTH}(?:,?\s*\d{{4}})?"
    rf"|(?:\d{{4}}\s*年\s*)?\d{{1,2}}\s*月\s*\d{{1,2}}\s*[日号]")
_TIME_TEXT = re.compile(r"\d{1,2}[:：]\d{2}(?::\d{2})?")
_TIMESTAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:?\d{2}.*)?")
_WEEKDAY = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?|(?:周|星期|礼拜)[一二三四五六日天]")
_RANGE_SEP = re.compile(r"\d[a-z]*\s*(?:-{1,2}|–|—|~|～|至|到|to|through)\s*(?:[A-Z][a-z]+\.?\s*)?\d|[日号]\s*[-–—~～至到]")


def _clean_edges(span_text):
    return bool(span_text) and "\n" not in span_text and span_text == span_text.strip()


def _a_date(span_text):
    return _clean_edges(span_text) and _DATE_TEXT.fullmatch(span_text) is not None


def invalid_date(span_text, source, f):
    """A whole date, time or timestamp, quoted in the message."""
    if not _clean_edges(span_text) or f"`{span_text}`" not in f.message:
        return False
    return bool(_DATE_TEXT.fullmatch(span_text) or _TIME_TEXT.fullmatch(span_text)
                or _TIMESTAMP.fullmatch(span_text))


def weekday_mismatch(span_text, source, f):
    """A date with its written weekday, the weekday quoted in the message."""
    wd = _WEEKDAY.search(span_text)
    return (_clean_edges(span_text) and wd is not None and f"`{wd.group()}`" in f.message
            and _DATE_TEXT.search(span_text) is not None)


def reversed_range(span_text, source, f):
    """A whole range: it starts and ends with its ends, and holds a range separator."""
    return (_clean_edges(span_text) and _RANGE_SEP.search(span_text) is not None
            and span_text[0].isalnum() and (span_text[-1].isalnum() or span_text[-1] in "日号)"))


def ambiguous_date(span_text, source, f):
    m = re.fullmatch(r"(\d{1,2})([/.\-])(\d{1,2})\2\d{4}", span_text)
    return (m is not None and int(m.group(1)) <= 12 and int(m.group(3)) <= 12
            and m.group(1).lstrip("0") != m.group(3).lstrip("0") and f"`{span_text}`" in f.message)


def timestamp_value(span_text, source, f):
    """A front-matter timestamp (quotes excluded), quoted in the message."""
    return _TIMESTAMP.fullmatch(span_text) is not None and span_text in f.message


def implausible_duration(span_text, source, f):
    """A duration value, an end timestamp, or a time range."""
    if not _clean_edges(span_text):
        return False
    if re.fullmatch(r"-?\d+(?:\.\d+)?", span_text):
        return f"{span_text}`" in f.message
    return bool(_TIMESTAMP.fullmatch(span_text) or reversed_range(span_text, source, f))


def duration_value(span_text, source, f):
    return re.fullmatch(r"\d+(?:\.\d+)?\s*[a-zA-Z]*", span_text) is not None


def a_date(span_text, source, f):
    return _a_date(span_text)


def path_date(span_text, source, f):
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", span_text) is not None and span_text in f.message


ORACLE: dict = {
    "TL320": invalid_date,
    "TL321": weekday_mismatch,
    "TL322": reversed_range,
    "TL323": ambiguous_date,
    "TL324": timestamp_value,
    "TL325": implausible_duration,
    "TL326": duration_value,
    "TL327": a_date,
    "TL328": path_date,
    "TL329": a_date,
    "TL330": a_date,
}
