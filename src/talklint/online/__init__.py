"""The online link check (``--check-links`` or ``check-links = true``; never on by default).

How it fits the engine: the online rules (TL430–TL436, :mod:`talklint.online.rules`) are
cross-file rules (:mod:`talklint.project`). Per file, in the workers, they collect every
http(s) URL with the span of its characters; after the per-file pass the first enabled
online rule asks the hosts about every distinct URL once (:mod:`talklint.online.http`) and
reports on each place that names it. The engine then applies suppressions and
per-file-ignores as for any finding.

A URL answered recently sits in the link cache (:mod:`talklint.online.cache`): it is reported
straight from the per-file pass, with no request at all, and such findings are fixable by
``--fix`` like any other (the permanent-redirect fix).
"""

from .rules import RULES

__all__ = ["RULES"]
