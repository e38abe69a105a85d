"""Turn the bytes of an input file into text, or say why that is not possible.

Articles arrive as UTF-8 most of the time, but old newsroom exports still carry
Windows-1252 or Latin-1 bytes (the BBC corpus has a raw Latin-1 pound sign), and
some tools write UTF-16 with a byte-order mark. We never guess silently: the
encoding used, and whether it was detected rather than declared, is recorded.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Control characters other than tab/newline/carriage return/form feed are a sign
# of binary content, not text.
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_MAX_CONTROL_RATIO = 0.01


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    detected: bool  # True when the encoding was inferred, not read from UTF-8/BOM


class UndecodableError(ValueError):
    """The bytes are not text we can read; the message is the one-line reason."""


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_BINARY_CONTROLS.findall(text)) / len(text)


def _looks_western(text: str) -> bool:
    """cp1252 decodes almost any byte string; accept it only when the result is
    mostly ASCII with a few accented letters or symbols, as English news is."""
    if _C1_CONTROLS.search(text):
        return False
    return len(_NON_ASCII.findall(text)) <= max(3, len(text) // 50)


def decode_bytes(data: bytes) -> Decoded:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, then
    Windows-1252 for mostly-ASCII Western text, then statistical detection."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data.decode("utf-8-sig"), "utf-8-sig", False)
        except UnicodeDecodeError as exc:
            raise UndecodableError(f"UTF-8 BOM but invalid UTF-8 at byte {exc.start}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UndecodableError(f"UTF-16 BOM but invalid UTF-16 at byte {exc.start}") from None
        return _checked(Decoded(text, "utf-16", False))
    if b"\x00" in data:
        raise UndecodableError("binary file: contains NUL bytes")
    try:
        return _checked(Decoded(data.decode("utf-8"), "utf-8", False))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        if _looks_western(text):
            return _checked(Decoded(text, "cp1252", True))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UndecodableError("not text: no character encoding fits the bytes")
    return _checked(Decoded(str(best), best.encoding, True))


def _checked(decoded: Decoded) -> Decoded:
    if _control_ratio(decoded.text) > _MAX_CONTROL_RATIO:
        raise UndecodableError(
            f"binary file: too many control characters for {decoded.encoding} text"
        )
    return decoded
