"""A port of Go's ``text/tabwriter`` (the elastic tabstop algorithm kubectl's printers rely on).

Cells are tab-terminated; the text after a line's last tab is not part of any column. A column block
is a run of consecutive lines that all have a cell in that column; each block is as wide as its widest
cell plus ``padding`` (at least ``minwidth``). Reproducing the algorithm exactly (instead of padding
whole-table columns) is what makes ``describe`` output align the way kubectl's does.
"""

from __future__ import annotations

__all__ = ["tabwrite", "TABLE", "DESCRIBE"]

#: kubectl's printers.GetNewTabWriter: minwidth 6, padding 3
TABLE = (6, 3)
#: kubectl describe's tabbedString: minwidth 0, padding 2
DESCRIBE = (0, 2)


def tabwrite(text: str, minwidth: int = 6, padding: int = 3) -> str:
    """Align ``text`` (lines of tab-separated cells) as a Go tabwriter flushed once would."""
    if "\t" not in text:
        return text
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []
    last = len(lines) - 1

    def write_lines(line0: int, line1: int) -> None:
        nw = len(widths)
        for i in range(line0, line1):
            line = lines[i]
            parts = []
            for j, cell in enumerate(line):
                if j < nw:
                    parts.append(cell + " " * (widths[j] - len(cell)) if widths[j] > len(cell) else cell)
                else:
                    parts.append(cell)
            out.append("".join(parts))
            if i != last:
                out.append("\n")

    def fmt(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1:
                line = lines[this]
                if column >= len(line) - 1:
                    break
                w = len(line[column]) + padding
                if w > width:
                    width = w
                this += 1
            widths.append(width)
            fmt(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    fmt(0, len(lines))
    return "".join(out)
