"""Built-in rules, one family per module. ``RULES`` is what the entry point registers."""

from . import encoding, frontmatter, invisible, structure, tool, whitespace
from . import residue
from . import spacing, words
from . import mojibake
from . import crossfile, dates, schema, timezones
from . import links
from ..online import rules as online_rules
from . import images, locallinks

RULES = [
    *encoding.RULES,
    *whitespace.RULES,
    *invisible.RULES,
    *frontmatter.RULES,
    *structure.RULES,
    *tool.RULES,
    *residue.RULES,
    *words.RULES,
    *spacing.RULES,
    *mojibake.RULES,
    *schema.RULES,
    *dates.RULES,
    *timezones.RULES,
    *crossfile.RULES,
    *links.RULES,
    *online_rules.RULES,
    *images.RULES,
    *locallinks.RULES,
]
