"""Mail headers that decode to exactly the text they were given.

The standard library's folder (``email.policy.SMTP`` and ``default``, Python 3.11) can move
the space between two words out of the RFC 2047 encoded-words it splits a long Vietnamese
header into; whitespace between encoded-words is not part of the text, so a client decodes
"dân chủ ở cơ sở" as "dân chủ ởcơ sở". :data:`POLICY` is ``policy.SMTP`` except that text
headers (Subject, …) and the display names of address headers (From, To, Cc) that need
encoding are written as base64 encoded-words cut at character boundaries, every space
inside a word, the words joined only by folding whitespace. Other headers (Date,
Message-ID, the attachments' RFC 2231 file names) stay the standard library's.
"""

from __future__ import annotations

import base64
import re
from email.headerregistry import Address, AddressHeader, UnstructuredHeader
from email.policy import EmailPolicy

MAX_LINE = 78  # RFC 5322's recommended limit; every line we fold stays within it
WORD_BYTES = 45  # 45 bytes -> 60 base64 characters: a word of 72, under RFC 2047's 75
PREFIX, SUFFIX = "=?utf-8?b?", "?="
_SPACES = re.compile(r"[\r\n\t\v\f]+")


def header_text(text: str) -> str:
    """A header's text on one line: line breaks and tabs become one space each run (a header
    cannot hold them), nothing else changes."""
    return _SPACES.sub(" ", text or "").strip()


def needs_words(text: str) -> bool:
    """Non-ASCII text, or ASCII that a decoder would take for an encoded-word."""
    return not text.isascii() or "=?" in text


def encoded_words(text: str) -> list[str]:
    """`text` as base64 encoded-words of at most WORD_BYTES bytes each, never cutting a
    character (nor a letter from its combining marks, so each word decodes on its own)."""
    words: list[str] = []
    chunk = b""
    for cluster in _clusters(text):
        data = cluster.encode("utf-8")
        if chunk and len(chunk) + len(data) > WORD_BYTES:
            words.append(_word(chunk))
            chunk = b""
        chunk += data
    if chunk:
        words.append(_word(chunk))
    return words


def _word(data: bytes) -> str:
    return PREFIX + base64.b64encode(data).decode("ascii") + SUFFIX


def _clusters(text: str):
    """A letter with the combining marks after it (text that is not NFC keeps its marks)."""
    import unicodedata

    current = ""
    for char in text:
        if current and unicodedata.combining(char):
            current += char
            continue
        if current:
            yield current
        current = char
    if current:
        yield current


def fold_tokens(name: str, tokens: list[str], linesep: str) -> str:
    """`Name: t1 t2 …` with a fold before any token that would pass MAX_LINE. Tokens must
    be free to sit on lines of their own: only folding whitespace lies between them."""
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > MAX_LINE and lines[-1] != f"{name}:":
            lines.append(" " + token)
        else:
            lines[-1] += " " + token
    return linesep.join(lines) + linesep


ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def phrase_tokens(name: str) -> list[str]:
    """A display name as tokens: words of plain letters as they are, every run of other
    words as ONE encoded-word. Decoders disagree about adjacent encoded-words in a name:
    RFC 2047 clients (Outlook, Thunderbird) join them, Python's parser puts a space
    between them; a run kept whole, and plain words around it, read the same in both
    (a long run makes a word over RFC 2047's 75 characters, which decoders accept)."""
    tokens: list[str] = []
    run: list[str] = []
    for word in name.split():
        if ATEXT.fullmatch(word) and "=?" not in word:
            if run:
                tokens.append(_word(" ".join(run).encode("utf-8")))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens.append(_word(" ".join(run).encode("utf-8")))
    return tokens


def _address_tokens(addresses: tuple[Address, ...]) -> list[str] | None:
    """Tokens of an address list, names encoded; None when an address itself is not ASCII
    (that needs SMTPUTF8: left to the standard library, which will say so)."""
    tokens: list[str] = []
    for index, address in enumerate(addresses):
        if not address.addr_spec.isascii():
            return None
        name = " ".join(address.display_name.split())
        comma = "," if index < len(addresses) - 1 else ""
        if name and needs_words(name):
            tokens.extend(phrase_tokens(name))
        elif name:
            tokens.append(str(Address(display_name=name, addr_spec="x@y")).rsplit(" <", 1)[0])
        tokens.append(f"<{address.addr_spec}>{comma}" if name else address.addr_spec + comma)
    return tokens


class DraftPolicy(EmailPolicy):
    """``policy.SMTP`` with text and address headers encoded as described above."""

    def _own_fold(self, name: str, value) -> str | None:
        if not hasattr(value, "name"):
            return None  # a header read from a file: the standard library keeps it as it came
        if isinstance(value, UnstructuredHeader):
            text = value.__dict__.get("given", str(value))
            if needs_words(text):
                return fold_tokens(name, encoded_words(text), self.linesep)
        elif isinstance(value, AddressHeader):
            addresses = value.addresses
            if any(needs_words(a.display_name) for a in addresses):
                tokens = _address_tokens(addresses)
                if tokens is not None:
                    return fold_tokens(name, tokens, self.linesep)
        return None

    def header_store_parse(self, name, value):
        """Keep the text as given: the parser would decode '=?…?=' in it."""
        name, header = super().header_store_parse(name, value)
        if isinstance(value, str) and "=?" in value and isinstance(header, UnstructuredHeader):
            header.__dict__["given"] = value
        return name, header

    def fold(self, name, value):
        own = self._own_fold(name, value)
        return own if own is not None else super().fold(name, value)

    def fold_binary(self, name, value):
        own = self._own_fold(name, value)
        return own.encode("ascii") if own is not None else super().fold_binary(name, value)


# refold_source="none": a draft read back to be sent keeps its headers byte for byte (the
# standard library would refold a long one, bringing its folding bug back)
POLICY = DraftPolicy(linesep="\r\n", refold_source="none")


def address(name: str, addr: str) -> Address | None:
    """The address with its display name (encoded on output); None when there is no usable
    address (not user@domain)."""
    addr = (addr or "").strip()
    user, _, domain = addr.rpartition("@")
    if not user or not domain:
        return None
    try:
        return Address(display_name=" ".join((name or "").split()), username=user, domain=domain)
    except (ValueError, IndexError):
        return None


ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")


def split_addresses(text: str) -> list[str]:
    """Addresses in a units-list cell: one, or several separated by ',', ';' or spaces."""
    return [a for a in re.split(r"[,;\s]+", text or "") if ADDRESS.fullmatch(a)]


__all__ = ["MAX_LINE", "POLICY", "DraftPolicy", "address", "encoded_words", "header_text", "split_addresses"]
