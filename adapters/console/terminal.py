"""Read what a person types or pastes at a terminal, however long, in one piece.

A terminal in its usual (canonical) mode keeps at most 4,095 characters of a line and drops the
rest without a word, so a long draft pasted into `snp-bot chat` used to be reviewed cut short. Here
the terminal is switched to non-canonical mode for the read: characters arrive as typed, the line
is gathered here, with no limit, and the terminal is restored after each line. A paste of several
lines arrives in one burst; lines that follow within `PASTE_GAP` seconds belong to the same
message, so a multi-line draft is reviewed whole instead of line by line.
"""

from __future__ import annotations

import codecs
import os
import select
import sys
import termios
from typing import TextIO

#: Input that follows a line break this soon is part of the same paste.
PASTE_GAP = 0.05
ERASE = {"\x7f", "\b"}
END_OF_INPUT = "\x04"
#: Ctrl-U clears the line, as in canonical mode.
KILL = "\x15"


#: The terminal's settings while a read has changed them: (fd, settings), for `restore()`.
_changed: tuple[int, list] | None = None


def restore() -> None:
    """Put the terminal back as it was, when the chat ends in the middle of a read (Ctrl-C: the
    reading thread is still waiting for a key)."""
    if _changed is not None:
        termios.tcsetattr(_changed[0], termios.TCSANOW, _changed[1])


def is_terminal(stream: TextIO) -> bool:
    """True for a real terminal (a descriptor the kernel calls a tty), not a stream that only says so."""
    try:
        return os.isatty(stream.fileno())
    except (ValueError, OSError, AttributeError):
        return False


def _more_follows(fd: int) -> bool:
    return bool(select.select([fd], [], [], PASTE_GAP)[0])


def read_message(stdin: TextIO = sys.stdin, echo: TextIO = sys.stdout) -> str:
    """One message from a terminal, with its final newline, or "" at the end of the input (Ctrl-D
    on an empty line). Ctrl-C still interrupts: signals stay on."""
    fd = stdin.fileno()
    saved = termios.tcgetattr(fd)
    changed = termios.tcgetattr(fd)
    changed[3] &= ~(termios.ICANON | termios.ECHO)
    changed[6][termios.VMIN], changed[6][termios.VTIME] = 1, 0
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    typed: list[str] = []
    global _changed
    termios.tcsetattr(fd, termios.TCSANOW, changed)
    _changed = (fd, saved)
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return "".join(typed)
            text = decoder.decode(chunk)
            for index, char in enumerate(text):
                if char in ("\r", "\n"):
                    typed.append("\n")
                    echo.write("\n")
                    echo.flush()
                    if index == len(text) - 1 and not _more_follows(fd):
                        return "".join(typed)
                elif char in ERASE:
                    if typed and typed[-1] != "\n":
                        typed.pop()
                        echo.write("\b \b")
                elif char == KILL:
                    while typed and typed[-1] != "\n":
                        typed.pop()
                        echo.write("\b \b")
                elif char == END_OF_INPUT:
                    if not typed:
                        return ""
                elif char >= " " or char == "\t":
                    typed.append(char)
                    echo.write(char)
            echo.flush()
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
        _changed = None
