"""What an openpyxl copy does not carry over from the input, measured part by part.

The openpyxl writer is the fallback for what the streaming copy cannot do. openpyxl
loads the workbook into its own objects and writes a new package: what it has no
object for is gone (pictures without Pillow, custom XML, slicers, printer settings...).
Guessing from part names named the wrong thing (charts, which it keeps; not pictures,
which it drops), so the copy is made in memory first and compared with the input:

- a binary part (a picture, an embedded file, the macros) is kept when a part with the
  same bytes is in the copy (openpyxl may rename it);
- an XML part is kept when the copy has parts of its kind (the folder it sits in:
  openpyxl writes its own `xl/worksheets/...`, `xl/charts/...`).

Every part that is not is named in one warning, before the real output is written.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from pathlib import Path

from reconciler.messages.render import Message

_XML_SUFFIXES = (".xml", ".rels", ".vml")
# Parts openpyxl rewrites on purpose, whose content the copy holds in its own form.
_REWRITTEN = ("[Content_Types].xml", "xl/calcChain.xml")
# Picture-like parts a person recognises by what they are, not by their folder.
_KINDS = {"xl/drawings/drawing": "feature.shapes", "xl/media": "feature.pictures", "xl/embeddings": "feature.embedded", "xl/vbaProject.bin": "feature.macros",
          "xl/slicers": "feature.slicers", "xl/slicerCaches": "feature.slicers", "xl/timelines": "feature.timelines",
          "xl/ctrlProps": "feature.form_controls", "xl/threadedComments": "feature.threaded_comments",
          "customXml": "feature.custom_xml", "xl/printerSettings": "feature.printer_settings"}


_SHAPE = re.compile(rb"<(?:\w+:)?(?:sp|grpSp|cxnSp)[\s>]")  # DrawingML shapes and text boxes


def _kind(name: str) -> str:
    """The folder a part sits in ("xl/media", "customXml"); a part at the top is its own kind."""
    folder = posixpath.dirname(name)
    return folder.removesuffix("/_rels") or name


def lost_parts(source: Path, copy: bytes) -> list[str]:
    """The input's parts the copy does not hold, by name."""
    try:
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(io.BytesIO(copy)) as made:
            made_names = made.namelist()
            made_kinds = {_kind(n) for n in made_names}
            made_hashes = {hashlib.sha256(made.read(n)).digest() for n in made_names if not n.endswith(_XML_SUFFIXES)}
            lost = []
            for name in original.namelist():
                if name.endswith("/") or name in _REWRITTEN:
                    continue
                if name.startswith("xl/drawings/") and name.endswith(".xml") and _SHAPE.search(original.read(name)):
                    lost.append(name)  # openpyxl keeps a drawing's charts and pictures, never its shapes
                elif name.endswith(_XML_SUFFIXES):
                    if _kind(name) not in made_kinds:
                        lost.append(name)
                elif hashlib.sha256(original.read(name)).digest() not in made_hashes:
                    lost.append(name)
            return lost
    except (OSError, zipfile.BadZipFile, KeyError):
        return []


def lost_parts_warning(source: Path, copy: bytes) -> list[Message]:
    """One warning naming every part the copy does not keep, with what it is where that is known."""
    lost = lost_parts(source, copy)
    if not lost:
        return []
    shown = []
    for name in lost:
        what = next((key for prefix, key in _KINDS.items() if name == prefix or name.startswith(prefix)), None)
        shown.append(Message("warning.part_named", part=name, what=Message(what)) if what else name)
    return [Message("warning.parts_lost", parts=shown)]
