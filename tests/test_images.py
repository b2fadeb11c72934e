"""sigap.lib.images against hostile uploads."""

import struct
import zlib

import pytest

from sigap.lib.images import BadImage, clean_photo


def png_header(width, height) -> bytes:
    """Return a PNG that declares `width`×`height` pixels (a decompression bomb's header)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + \
        chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20_000, 60_000])
def test_a_decompression_bomb_is_too_large_not_a_non_photo(side):
    with pytest.raises(BadImage) as caught:
        clean_photo(png_header(side, side), max_bytes=10_000_000, max_pixels=40_000_000)
    assert caught.value.args[0] == "too_many_pixels"


def test_garbage_is_not_a_photo():
    with pytest.raises(BadImage) as caught:
        clean_photo(b"GIF89a nonsense" * 10, max_bytes=10_000_000, max_pixels=40_000_000)
    assert caught.value.args[0] == "not_image"
