"""A file of single-use codes for a rule's pool (``goodword codes upload FILE --rule RULE``),
read (pure): one code per line, surrounding spaces dropped, blank lines skipped; a code
repeated in the file counts once; a line that cannot be a code is refused with its number."""

from __future__ import annotations

from dataclasses import dataclass

from goodword.claims.records import MAX_CODE_LENGTH


@dataclass(frozen=True)
class CodeFile:
    codes: list[str]  # each once, in the file's order
    repeated: int  # lines that repeat a code given earlier in the file


class CodeFileError(ValueError):
    pass


def read_codes(text: str) -> CodeFile:
    codes: dict[str, None] = {}
    repeated = 0
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.strip()
        if not code:
            continue
        if len(code) > MAX_CODE_LENGTH:
            raise CodeFileError(f"line {number}: a code has at most {MAX_CODE_LENGTH} characters")
        if any(c.isspace() for c in code) or not code.isprintable():
            raise CodeFileError(f"line {number}: a code has no spaces or control characters inside (one code per line)")
        if code in codes:
            repeated += 1
        codes[code] = None
    if not codes:
        raise CodeFileError("the file has no codes (one code per line)")
    return CodeFile(list(codes), repeated)
