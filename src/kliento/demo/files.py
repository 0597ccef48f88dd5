"""Small generated files for demo attachments: a PNG sketch, a PDF and a CSV."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence


def png(width: int = 96, height: int = 64, seed: int = 0) -> bytes:
    """A window sketch: a frame with a cross, as an RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    tint = (seed * 37) % 80
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            edge = x in (4, 5, width - 6, width - 5) or y in (4, 5, height - 6, height - 5)
            cross = abs(x - width // 2) < 1 or abs(y - height // 2) < 1
            inside = 4 <= x < width - 4 and 4 <= y < height - 4
            if inside and (edge or cross):
                rows.extend((40, 40, 60))
            else:
                rows.extend((200 + tint // 2, 225, 245))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` (ASCII) in Helvetica."""
    text = "BT /F1 12 Tf 50 780 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    stream = text.encode("latin-1", "replace") + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def csv(rows: Sequence[tuple[object, ...]]) -> bytes:
    return "".join(",".join(str(v) for v in row) + "\n" for row in rows).encode()
