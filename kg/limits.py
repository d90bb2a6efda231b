"""The limits kg puts on its input, so that one hostile or broken file costs a rejection, not a
build (or the machine). Each is far above anything a real digest holds; the README lists them.

What a limit protects, and what happens when it is passed:
- an entry past a per-entry limit is rejected with its file, line and the limit;
- a file past a per-file limit is read up to that point, and the rest is refused;
- an archive member past an expansion limit stops the archive (it is a decompression bomb).
"""

from __future__ import annotations

# --- per entry ----------------------------------------------------------------------------
MAX_TITLE_CHARS = 2_000  # arXiv titles stay under 400 characters
MAX_TEXT_CHARS = 100_000  # one abstract, summary field or comment: arXiv caps abstracts at 1,920
MAX_AUTHORS = 10_000  # the largest collaborations list about 5,000 people
MAX_NAME_CHARS = 1_000  # one author's name
MAX_VERSION = 10_000  # arXiv versions (v1, v2, ...) stay under 100
MAX_JSON_DEPTH = 32  # nesting of a JSON record; the digests nest 3 levels
MAX_NUMBER_DIGITS = 100  # digits of a JSON number or a version; more is an attack on int()

# --- per file -----------------------------------------------------------------------------
MAX_LINE_BYTES = 16 << 20  # 16 MiB in one line; the longest line of the corpus has 13 kB
MAX_DOCUMENT_CHARS = 64 << 20  # a markdown or HTML digest is read whole; real days are < 2 MB
MAX_ENTRIES_PER_FILE = 5_000_000  # the arXiv metadata snapshot holds about 2.9 million

# --- per archive (.tar.gz, .tar.xz) ---------------------------------------------------------
MAX_MEMBER_BYTES = 4 << 30  # 4 GiB expanded from one member
MAX_ARCHIVE_BYTES = 64 << 30  # 64 GiB expanded from one archive
MAX_EXPANSION_RATIO = 100  # expanded / compressed bytes of a member; xz digests expand 5-7x
EXPANSION_CHECK_BYTES = 8 << 20  # the ratio is checked once a member has expanded this much
