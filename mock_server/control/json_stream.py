"""Reading one big JSON document from a stream a value at a time: objects and arrays walked, leaves decoded.

The standard library's C scanner decodes each value (a record, a setting) from a window of text that
only ever holds the value being read and the rest of the last chunk, so a document of any size is read
in memory of about one chunk plus one value. The reader is strict as strict_json.loads: no NaN or
Infinity, finite numbers only, nesting bounded.
"""
from __future__ import annotations

import codecs
import json
import re
from typing import BinaryIO, Iterator

from ..strict_json import MAX_DEPTH, _finite, _no_constant, depth

CHUNK_BYTES = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9eE.+-]*")


class BadJson(ValueError):
    """The stream is not one well-formed JSON document; says where (a character offset)."""


class JsonStream:
    """A cursor over the JSON document of a binary stream: members(), items() and value()."""

    def __init__(self, stream: BinaryIO, chunk: int = CHUNK_BYTES):
        self._stream, self._chunk = stream, chunk
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decode = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite).raw_decode
        self._text, self._at, self._done, self._consumed = "", 0, False, 0

    def _more(self, at_least: int = 0) -> bool:
        """Append the next chunk (at least `at_least` bytes) to the window; False at the end of the stream."""
        if self._done:
            return False
        data = self._stream.read(max(self._chunk, at_least))
        try:
            tail = self._utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise BadJson(f"not UTF-8: {exc}") from None
        self._done = not data
        self._consumed += self._at
        self._text, self._at = self._text[self._at:] + tail, 0
        return True

    def _fail(self, reason: str, at: int | None = None):
        raise BadJson(f"{reason} (character {self._consumed + (self._at if at is None else at)})")

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end of the document)."""
        while True:
            self._at = _SPACE.match(self._text, self._at).end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._more():
                return ""

    def _expect(self, char: str) -> None:
        if self.peek() != char:
            self._fail(f"expecting {char!r}")
        self._at += 1

    def value(self):
        """The next whole value, decoded."""
        if not self.peek():
            self._fail("expecting a value")
        while True:
            try:
                value, end = self._decode(self._text, self._at)
            except json.JSONDecodeError as exc:
                # the value may go on in the next chunk: read on (doubling, for a value bigger than a chunk)
                if self._more(len(self._text) - self._at):
                    continue
                self._fail(exc.msg, exc.pos)
            except ValueError as exc:   # NaN, Infinity, a number too large for a float
                self._fail(str(exc))
            except RecursionError:
                self._fail(f"nested deeper than {MAX_DEPTH} levels")
            if self._cut(value, end) and self._more():   # a number cut by the chunk's end: read it whole
                continue
            # only a value with that many brackets can nest that deep: counted in C before walking it
            nests = self._text.count("[", self._at, end) + self._text.count("{", self._at, end) > MAX_DEPTH
            if nests and depth(value) > MAX_DEPTH:
                self._fail(f"nested deeper than {MAX_DEPTH} levels")
            self._at = end
            return value

    def _cut(self, value, end: int) -> bool:
        """Whether a number may go on past the window (`1.` then `5`): only its characters reach the end."""
        if self._done or isinstance(value, (str, dict, list, bool)) or value is None:
            return False
        return _NUMBER_TAIL.fullmatch(self._text, end) is not None

    def kind(self) -> str:
        """'object', 'array' or 'value': what comes next."""
        return {"{": "object", "[": "array"}.get(self.peek(), "value")

    def members(self) -> Iterator[str]:
        """Each key of the next object; the caller reads (or walks) its value before asking for the next."""
        self._expect("{")
        if self.peek() == "}":
            self._at += 1
            return
        while True:
            if self.peek() != '"':
                self._fail("expecting a property name in double quotes")
            key = self.value()
            self._expect(":")
            yield key
            self._after("}")
            if self._text[self._at - 1] == "}":
                return

    def items(self) -> Iterator[int]:
        """The index of each item of the next array; the caller reads (or walks) the item each time."""
        self._expect("[")
        if self.peek() == "]":
            self._at += 1
            return
        index = 0
        while True:
            yield index
            self._after("]")
            if self._text[self._at - 1] == "]":
                return
            index += 1

    def _after(self, closing: str) -> None:
        char = self.peek()
        if char not in (",", closing):
            self._fail(f"expecting ',' or {closing!r}")
        self._at += 1

    def end(self) -> None:
        """Nothing but whitespace may follow the document."""
        if self.peek():
            self._fail("extra data after the document")
