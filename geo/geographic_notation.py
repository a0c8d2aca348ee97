"""Geographic notations: decimal degrees (DD), degrees and decimal minutes (DDM), and
degrees, minutes and seconds (DMS), read token by token so errors can point at the
offending characters, and written with exact carries (59.999" never prints as 60").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .coordinate_types import M_PER_DEGREE, AxisOrder, CoordinateFormat, ParsedCoordinate, decimal_places
from .errors import AmbiguousCoordinateError, CoordinateRangeError, CoordinateSyntaxError, EmptyCoordinateError


@dataclass
class _Tok:
    kind: str  # num, deg, min, sec, colon, hemi, sign, sep
    text: str
    start: int
    end: int
    ws_before: bool


_TOKEN_ALTERNATIVES = [
    ("ws", r"\s+"),
    ("num", None),
    ("deg", r"[°º˚]"),
    ("sec", r"''|′′|’’|\"|″|”|“"),
    ("min", r"['′’‘´`]"),
    ("colon", r":"),
    ("hemi", r"[NSEWnsew](?![A-Za-z])"),
    ("sign", r"[+\-−]"),
    ("sep", r"[;,/]"),
]


def _token_regex(decimal_comma: bool) -> re.Pattern:
    num = r"\d+(?:,\d+)?" if decimal_comma else r"\d+(?:\.\d+)?"
    parts = [f"(?P<{kind}>{num if pattern is None else pattern})" for kind, pattern in _TOKEN_ALTERNATIVES]
    return re.compile("|".join(parts))


_TOKEN_RE_DOT = _token_regex(False)
_TOKEN_RE_COMMA = _token_regex(True)


def _uses_decimal_comma(text: str) -> bool:
    if "." in text or not re.search(r"\d,\d", text):
        return False
    stripped = text.strip()
    if re.search(r"\s|[;/°º˚'′’\"″”]|[NSEWnsew]", stripped):
        return True
    raise AmbiguousCoordinateError(
        "a comma between digits could be a decimal comma or the separator between latitude and longitude; "
        "use a full stop for decimals, or a blank or semicolon between the two values",
        code="ambiguous_separator", text=text, span=_first_span(text, r"\d,\d", shift=1, width=1),
    )


def _first_span(text: str, pattern: str, shift: int = 0, width: int | None = None) -> tuple[int, int] | None:
    m = re.search(pattern, text)
    if not m:
        return None
    start = m.start() + shift
    return (start, start + (width if width is not None else m.end() - m.start()))


def _tokenise(text: str) -> list[_Tok]:
    regex = _TOKEN_RE_COMMA if _uses_decimal_comma(text) else _TOKEN_RE_DOT
    tokens: list[_Tok] = []
    pos = 0
    ws_before = True
    while pos < len(text):
        m = regex.match(text, pos)
        if not m or m.end() == pos:
            raise CoordinateSyntaxError(
                f"unexpected character {text[pos]!r}", code="unrecognised_format", text=text, span=(pos, pos + 1)
            )
        kind = m.lastgroup
        assert kind is not None
        if kind == "ws":
            ws_before = True
        else:
            tokens.append(_Tok(kind, m.group(), m.start(), m.end(), ws_before))
            ws_before = False
        pos = m.end()
    return tokens


@dataclass
class _Value:
    """One of the two halves (latitude or longitude) of a geographic coordinate."""

    magnitude: float
    negative: bool
    hemi: str | None
    fmt: CoordinateFormat
    resolution_deg: float
    span: tuple[int, int]

    @property
    def signed(self) -> float:
        value = -self.magnitude if self.negative else self.magnitude
        if self.hemi in ("S", "W"):
            value = -value
        return value


def _span(tokens: list[_Tok]) -> tuple[int, int]:
    return tokens[0].start, tokens[-1].end


def _split_halves(text: str, tokens: list[_Tok]) -> tuple[list[_Tok], list[_Tok]]:
    seps = [i for i, t in enumerate(tokens) if t.kind == "sep"]
    if len(seps) > 1:
        raise CoordinateSyntaxError(
            "more than one separator between values", code="unrecognised_format", text=text,
            span=(tokens[seps[1]].start, tokens[seps[1]].end),
        )
    if seps:
        i = seps[0]
        first, second = tokens[:i], tokens[i + 1 :]
        if not first or not second:
            raise CoordinateSyntaxError(
                "two values are needed, latitude and longitude, one on each side of the separator",
                code="unrecognised_format", text=text, span=(tokens[i].start, tokens[i].end),
            )
        return first, second

    hemis = [i for i, t in enumerate(tokens) if t.kind == "hemi"]
    if hemis:
        if len(hemis) == 1:
            t = tokens[hemis[0]]
            raise CoordinateSyntaxError(
                "a hemisphere letter is given for only one of the two values; give N/S and E/W, or none",
                code="missing_hemisphere", text=text, span=(t.start, t.end),
            )
        if len(hemis) > 2:
            t = tokens[hemis[2]]
            raise CoordinateSyntaxError(
                "too many hemisphere letters", code="hemisphere_conflict", text=text, span=(t.start, t.end)
            )
        a, b = hemis
        last = len(tokens) - 1
        if a == 0 and b != last:
            return tokens[:b], tokens[b:]
        if b == last and a != 0:
            return tokens[: a + 1], tokens[a + 1 :]
        raise CoordinateSyntaxError(
            "hemisphere letters must both come before their values or both after them",
            code="unrecognised_format", text=text, span=(tokens[a].start, tokens[b].end),
        )
    return _split_unlettered(text, tokens)


def _atoms(text: str, tokens: list[_Tok]) -> list[list[_Tok]]:
    """Group tokens into numbers with their sign, marks and colon continuations."""
    atoms: list[list[_Tok]] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        atom: list[_Tok] = []
        if t.kind == "sign":
            atom.append(t)
            i += 1
            if i >= n or tokens[i].kind != "num":
                raise CoordinateSyntaxError(
                    "a sign must be followed by a number", code="unrecognised_format", text=text, span=(t.start, t.end)
                )
            t = tokens[i]
        if t.kind != "num":
            raise CoordinateSyntaxError(
                f"unexpected {t.text!r}", code="unrecognised_format", text=text, span=(t.start, t.end)
            )
        atom.append(t)
        i += 1
        while i < n and tokens[i].kind == "colon":
            atom.append(tokens[i])
            i += 1
            if i >= n or tokens[i].kind != "num":
                raise CoordinateSyntaxError(
                    "a colon must be followed by a number", code="unrecognised_format", text=text,
                    span=(tokens[i - 1].start, tokens[i - 1].end),
                )
            atom.append(tokens[i])
            i += 1
        if i < n and tokens[i].kind in ("deg", "min", "sec"):
            atom.append(tokens[i])
            i += 1
        atoms.append(atom)
    return atoms


def _split_unlettered(text: str, tokens: list[_Tok]) -> tuple[list[_Tok], list[_Tok]]:
    atoms = _atoms(text, tokens)
    for atom in atoms[1:]:
        if atom[0].kind == "sign" and not atom[0].ws_before:
            raise CoordinateSyntaxError(
                f"{atom[0].text!r} directly after a value: put a blank before a minus sign, "
                "or a comma between latitude and longitude",
                code="unrecognised_format", text=text, span=(atom[0].start, atom[0].end),
            )

    def cut(k: int) -> tuple[list[_Tok], list[_Tok]]:
        return [t for a in atoms[:k] for t in a], [t for a in atoms[k:] for t in a]

    degree_marked = [i for i, a in enumerate(atoms) if a[-1].kind == "deg"]
    if len(degree_marked) == 2 and degree_marked[0] == 0:
        return cut(degree_marked[1])
    if len(degree_marked) > 2:
        t = atoms[degree_marked[2]][-1]
        raise CoordinateSyntaxError(
            "too many degree marks", code="unrecognised_format", text=text, span=(t.start, t.end)
        )
    colon_atoms = [i for i, a in enumerate(atoms) if any(t.kind == "colon" for t in a)]
    if colon_atoms:
        if len(atoms) == 2:
            return cut(1)
        raise CoordinateSyntaxError(
            "with colons, write each value as one group, e.g. 48:00:00.65 37:00:04.82",
            code="unrecognised_format", text=text,
        )
    count = len(atoms)
    if count in (2, 4, 6):
        return cut(count // 2)
    if count < 2:
        raise CoordinateSyntaxError(
            "two values are needed, latitude and longitude", code="unrecognised_format", text=text,
            span=_span(tokens),
        )
    raise CoordinateSyntaxError(
        f"{count} numbers cannot be split evenly into latitude and longitude; separate the two values "
        "with a comma, or add hemisphere letters or degree marks",
        code="unrecognised_format", text=text, span=_span(tokens),
    )


def _number(text: str, tok: _Tok) -> float:
    return float(tok.text.replace(",", "."))


def _hasdecimal_places(tok: _Tok) -> bool:
    return "." in tok.text or "," in tok.text


def _parse_value(text: str, tokens: list[_Tok], part: str) -> _Value:
    span = _span(tokens)
    toks = list(tokens)
    hemi: str | None = None
    if toks and toks[0].kind == "hemi":
        hemi = toks.pop(0).text.upper()
    if toks and toks[-1].kind == "hemi":
        if hemi is not None:
            raise CoordinateSyntaxError(
                "a hemisphere letter both before and after the value", code="hemisphere_conflict",
                text=text, span=span, part=part,
            )
        hemi = toks.pop().text.upper()
    negative = False
    if toks and toks[0].kind == "sign":
        sign = toks.pop(0)
        negative = sign.text != "+"
        if negative and hemi is not None:
            raise CoordinateSyntaxError(
                f"a minus sign together with the hemisphere letter {hemi}: use one or the other",
                code="hemisphere_conflict", text=text, span=(sign.start, sign.end), part=part,
            )
    if not toks:
        raise CoordinateSyntaxError("a number is missing", code="unrecognised_format", text=text, span=span, part=part)

    numbers: list[_Tok] = []
    marks: list[str | None] = []
    for t in toks:
        if t.kind == "num":
            numbers.append(t)
            marks.append(None)
        elif t.kind == "colon":
            if not numbers or marks[-1] is not None:
                raise CoordinateSyntaxError(
                    "misplaced colon", code="unrecognised_format", text=text, span=(t.start, t.end), part=part
                )
        elif t.kind in ("deg", "min", "sec"):
            if not numbers or marks[-1] is not None:
                raise CoordinateSyntaxError(
                    f"misplaced {t.text!r}", code="unrecognised_format", text=text, span=(t.start, t.end), part=part
                )
            marks[-1] = t.kind
        else:
            raise CoordinateSyntaxError(
                f"unexpected {t.text!r}", code="unrecognised_format", text=text, span=(t.start, t.end), part=part
            )
    if len(numbers) > 3:
        raise CoordinateSyntaxError(
            "more than three numbers (degrees, minutes, seconds) in one value",
            code="unrecognised_format", text=text, span=span, part=part,
        )
    expected_marks = ("deg", "min", "sec")
    for index, (tok, mark) in enumerate(zip(numbers, marks)):
        if mark is not None and mark != expected_marks[index]:
            symbol = {"deg": "°", "min": "'", "sec": '"'}[mark]
            raise CoordinateSyntaxError(
                f"{symbol!s} after the {('first', 'second', 'third')[index]} number; expected "
                f"{('degrees', 'minutes', 'seconds')[index]}",
                code="unrecognised_format", text=text, span=(tok.start, tok.end), part=part,
            )
    for tok in numbers[:-1]:
        if _hasdecimal_places(tok):
            raise CoordinateSyntaxError(
                "only the last number of a value may have decimals", code="unrecognised_format",
                text=text, span=(tok.start, tok.end), part=part,
            )

    degrees = _number(text, numbers[0])
    magnitude = degrees
    last_decimals = decimal_places(numbers[-1].text)
    if len(numbers) == 1:
        fmt = CoordinateFormat.DD
        resolution = 10.0 ** -last_decimals
    else:
        minutes = _number(text, numbers[1])
        if minutes >= 60.0:
            raise CoordinateRangeError(
                f"minutes must be below 60; {numbers[1].text} is not", code="minutes_out_of_range",
                text=text, span=(numbers[1].start, numbers[1].end), part=part,
            )
        magnitude += minutes / 60.0
        if len(numbers) == 2:
            fmt = CoordinateFormat.DDM
            resolution = 10.0 ** -last_decimals / 60.0
        else:
            seconds = _number(text, numbers[2])
            if seconds >= 60.0:
                raise CoordinateRangeError(
                    f"seconds must be below 60; {numbers[2].text} is not", code="seconds_out_of_range",
                    text=text, span=(numbers[2].start, numbers[2].end), part=part,
                )
            magnitude += seconds / 3600.0
            fmt = CoordinateFormat.DMS
            resolution = 10.0 ** -last_decimals / 3600.0
    return _Value(magnitude, negative, hemi, fmt, resolution, span)


def parse_geographic(text: str, default_order: AxisOrder | None) -> ParsedCoordinate:
    tokens = _tokenise(text)
    if not tokens:
        raise EmptyCoordinateError("no coordinate was given", text=text)
    first_toks, second_toks = _split_halves(text, tokens)
    first = _parse_value(text, first_toks, "first value")
    second = _parse_value(text, second_toks, "second value")
    notes: list[str] = []

    if first.fmt is not second.fmt:
        raise CoordinateSyntaxError(
            f"the two values use different notations ({first.fmt.value} and {second.fmt.value}); "
            "a field may be missing",
            code="mixed_formats", text=text, span=(first.span[0], second.span[1]),
        )

    if (first.hemi is None) != (second.hemi is None):
        lettered = first if first.hemi else second
        raise CoordinateSyntaxError(
            "a hemisphere letter is given for only one of the two values; give N/S and E/W, or none",
            code="missing_hemisphere", text=text, span=lettered.span,
        )
    if first.hemi and second.hemi:
        kinds = ("NS" if first.hemi in "NS" else "EW", "NS" if second.hemi in "NS" else "EW")
        if kinds[0] == kinds[1]:
            raise CoordinateSyntaxError(
                f"both values are marked {kinds[0][0]}/{kinds[0][1]}; one must be N or S and the other E or W",
                code="hemisphere_conflict", text=text, span=(first.span[0], second.span[1]),
            )
        lat_first = kinds[0] == "NS"
    else:
        first_big = first.magnitude > 90.0
        second_big = second.magnitude > 90.0
        if first_big and second_big:
            raise CoordinateRangeError(
                "both values exceed 90, so neither can be a latitude", code="out_of_range",
                text=text, span=(first.span[0], second.span[1]),
            )
        if first_big:
            lat_first = False
            if default_order is not AxisOrder.LON_LAT:
                notes.append("longitude first: the first value exceeds 90, so it cannot be a latitude")
        elif second_big:
            lat_first = True
            if default_order is AxisOrder.LON_LAT:
                notes.append("latitude first: the second value exceeds 90, so it cannot be a latitude")
        elif default_order is None:
            raise AmbiguousCoordinateError(
                "without hemisphere letters either value could be the latitude; add N/S and E/W",
                code="ambiguous_order", text=text, span=(first.span[0], second.span[1]),
            )
        else:
            lat_first = default_order is AxisOrder.LAT_LON

    lat_value, lon_value = (first, second) if lat_first else (second, first)
    if lat_value.magnitude > 90.0:
        raise CoordinateRangeError(
            "a latitude lies between 90°S and 90°N", code="out_of_range", text=text, span=lat_value.span,
            part="latitude",
        )
    if lon_value.magnitude > 180.0:
        raise CoordinateRangeError(
            "a longitude lies between 180°W and 180°E", code="out_of_range", text=text, span=lon_value.span,
            part="longitude",
        )
    lat = lat_value.signed
    lon = lon_value.signed
    resolution_m = max(lat_value.resolution_deg, lon_value.resolution_deg) * M_PER_DEGREE
    return ParsedCoordinate(lat + 0.0, lon + 0.0, first.fmt, text, resolution_m, tuple(notes))


# --------------------------------------------------------------------------- writing


def format_sexagesimal(value: float, letters: str, decimals: int, fields: int) -> str:
    letter = letters[1] if value < 0 else letters[0]
    scale = 10**decimals
    per_minute = 60 * scale
    per_degree = 60 * per_minute if fields == 3 else per_minute
    units = round(abs(value) * (3600 if fields == 3 else 60) * scale)
    if units == 0:
        letter = letters[0]
    degrees, rest = divmod(units, per_degree)
    if fields == 2:
        whole, frac = divmod(rest, scale)
        last = f"{whole:02d}" + (f".{frac:0{decimals}d}" if decimals else "")
        return f"{degrees}°{last}'{letter}"
    minutes, rest = divmod(rest, per_minute)
    whole, frac = divmod(rest, scale)
    last = f"{whole:02d}" + (f".{frac:0{decimals}d}" if decimals else "")
    return f"{degrees}°{minutes:02d}'{last}\"{letter}"
