"""Just enough of Kubernetes resource.Quantity to add up requests and print them like Go does."""

from __future__ import annotations

from fractions import Fraction

__all__ = ["parse_quantity", "format_cpu", "format_bytes"]

_BIN = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DEC = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1), "k": Fraction(10**3),
        "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12), "P": Fraction(10**15), "E": Fraction(10**18)}


def parse_quantity(q: object) -> Fraction:
    """``"250m"`` -> 1/4, ``"128Mi"`` -> 134217728; malformed values count as zero."""
    s = str(q or "0").strip()
    try:
        for suf, mul in _BIN.items():
            if s.endswith(suf):
                return Fraction(s[: -len(suf)]) * mul
        if s and s[-1] in _DEC and s[-1] != "":
            return Fraction(s[:-1]) * _DEC[s[-1]]
        if "e" in s.lower():
            return Fraction(float(s))
        return Fraction(s)
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def format_cpu(v: Fraction) -> str:
    millis = int(v * 1000)
    if millis == 0:
        return "0"
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def format_bytes(v: Fraction, binary: bool = True) -> str:
    n = int(v)
    if n == 0:
        return "0"
    if binary:
        for suf, mul in reversed(list(_BIN.items())):
            if n % mul == 0:
                return f"{n // mul}{suf}"
        return str(n)
    for suf in ("E", "P", "T", "G", "M", "k"):
        mul = int(_DEC[suf])
        if n % mul == 0:
            return f"{n // mul}{suf}"
    return str(n)
