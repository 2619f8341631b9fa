"""A source document's text, searchable for quotes with runs of white space folded."""

import bisect
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """The form quotes are compared in: NFC, and each run of white space one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


class SourceText:
    """The lines first..last of a text; find() gives the line a quote starts on."""

    def __init__(self, text: str, first: int, last: int) -> None:
        self.lines = text.splitlines()
        self.line_count = len(self.lines)
        self.first, self.last = first, last
        pieces: list[str] = []
        self._starts: list[int] = []
        self._numbers: list[int] = []
        offset = 0
        for number in range(first, min(last, self.line_count) + 1):
            piece = fold(self.lines[number - 1])
            if piece:
                self._starts.append(offset)
                self._numbers.append(number)
                pieces.append(piece)
                offset += len(piece) + 1
        self._folded = " ".join(pieces)

    def find(self, quote: str) -> int | None:
        folded = fold(quote)
        if not folded:
            return None
        at = self._folded.find(folded)
        if at < 0:
            return None
        return self._numbers[bisect.bisect_right(self._starts, at) - 1]
