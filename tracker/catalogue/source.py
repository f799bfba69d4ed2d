"""Read the chair's summary into numbered paragraphs grouped under session headings.

Reading rules (documented in the README):

* Blocks are separated by blank lines. Everything before the first session heading is the
  document's front matter and is not numbered.
* A block equal to a session heading starts that session.
* A paragraph ends only at a block ending in sentence punctuation; a block ending otherwise
  (a lead-in ending with a colon, a line broken by the page) continues into the next block.
* Paragraphs are numbered 1, 2, 3, ... through the whole document, as in UN documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TERMINAL = (".", "!", "?", "”", '"', ")")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Collapse every run of whitespace to one space, so quotes compare whitespace aside."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class Paragraph:
    number: int
    session_heading: str
    text: str

    @property
    def normalized(self) -> str:
        return normalize(self.text)


@dataclass
class SourceDocument:
    text: str
    front_matter: str
    paragraphs: list[Paragraph] = field(default_factory=list)

    def paragraph(self, number: int) -> Paragraph | None:
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None

    def contains(self, quote: str, number: int) -> bool:
        """Tell whether the quote stands, whitespace aside, in the given paragraph."""
        paragraph = self.paragraph(number)
        return paragraph is not None and normalize(quote) in paragraph.normalized


def parse(text: str, headings: list[str]) -> SourceDocument:
    """Split the summary into front matter and numbered paragraphs under the given headings."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    wanted = set(headings)
    front: list[str] = []
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    pending: list[str] = []
    for block in blocks:
        if block in wanted:
            if pending:
                raise ValueError(f"paragraph runs into heading {block!r}: {pending[0][:60]!r}")
            heading = block
            continue
        if heading is None:
            front.append(block)
            continue
        pending.append(block)
        if block.endswith(_TERMINAL):
            paragraphs.append(Paragraph(len(paragraphs) + 1, heading, "\n".join(pending)))
            pending = []
    if pending:
        paragraphs.append(Paragraph(len(paragraphs) + 1, heading or "", "\n".join(pending)))
    return SourceDocument(text=text, front_matter="\n\n".join(front), paragraphs=paragraphs)
