"""How a location inside the recipe is written in messages: `talent.inputs.mobile`, `output.writers[1]`."""

from __future__ import annotations

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """Dotted keys, list items as `[i]` (0-based, like the YAML list they index)."""
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
