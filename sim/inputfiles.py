"""Reading the files a user names: regular files only, of bounded size, UTF-8 text.

Scenario, batch and sheet YAML, scorecard rules, parts catalogues and empirical-distribution
CSVs all come through here, so ``/dev/zero``, a named pipe or a 2 GB file is refused at once
with one line (instead of a hang or a memory blow-up), and a file saved in another encoding
names the line of its first foreign byte (instead of a ``UnicodeDecodeError`` traceback).
The limits are documented in ``docs/model.md`` ("Input limits").
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

MAX_INPUT_BYTES = 50 * 1024 * 1024
"""The largest input file read (50 MB): a 200,000-part catalogue takes about 10 MB."""
_MB = 1024 * 1024


class InputFileError(ValueError):
    """A file that cannot be read as input; ``str(err)`` names it and says why.

    ``path`` is the file as given, ``reason`` the message without it.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot read {str(path)!r}: {reason}")


def read_bytes(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (InputFileError otherwise).

    The type is checked before the file is opened, so a named pipe does not block.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(path, "it is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(path, "not a regular file (a device, a pipe or a socket)")
        if info.st_size > limit:
            raise InputFileError(path, _too_large(limit, info.st_size))
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(path, exc.strerror or str(exc)) from None
    if len(data) > limit:  # it grew since the stat
        raise InputFileError(path, _too_large(limit))
    return data


def _too_large(limit: int, size: int | None = None) -> str:
    given = f"{size / _MB:,.1f} MB, " if size is not None else ""
    return f"{given}more than the {limit // _MB} MB an input file may hold"


def decode(data: bytes, path: str | Path, encoding: str = "utf-8") -> str:
    """``data`` decoded as UTF-8; InputFileError naming the line of the first bad byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputFileError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {column}); "
            "save it as UTF-8",
        ) from None


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The text of a UTF-8 file of at most ``MAX_INPUT_BYTES`` (InputFileError otherwise)."""
    return decode(read_bytes(path), path, encoding)


def read_csv(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a UTF-8 CSV file (a byte-order mark is dropped).

    InputFileError for an unreadable file or a malformed row (a field longer than the csv
    module's limit of 131,072 characters, say), naming the line.
    """
    text = read_text(path, "utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a field is longer than {csv.field_size_limit():,} characters"
        raise InputFileError(path, f"line {reader.reader.line_num}: {reason}") from None
    return header, rows
