"""Identifiers: GUIDs for resources, and link codes that are safe to paste anywhere."""

from __future__ import annotations

from partnerhub.ids import new_code


def test_link_codes_never_start_like_a_command_line_option() -> None:
    codes = [new_code() for _ in range(3000)]  # 1 in 32 raw codes starts with "-" or "_"
    assert all(code[0].isalnum() for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 24 for code in codes)  # 18 random bytes, URL-safe base64
