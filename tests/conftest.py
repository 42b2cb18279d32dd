"""Test-wide settings."""

import os

from hypothesis import settings

# Property tests draw the same examples on every run, so a red build is reproducible, not a
# coin toss (in CI or not: a CI service that does not set `CI` must not go red by chance).
# Set TALKLINT_EXPLORE=1 to explore new examples each run when hunting for bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile("explore" if os.environ.get("TALKLINT_EXPLORE") else "ci")
