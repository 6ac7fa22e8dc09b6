"""Identifiers: GUIDs for resources, and link codes that are safe to paste anywhere."""

from __future__ import annotations

from partnerhub.ids import new_code


def test_link_codes_never_start_like_a_command_line_option() -> None:
    codes = [new_code() for _ in range(3000)]  # 1 in 32 raw codes starts with "-" or "_"
    assert all(code[0].isalnum() for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 24 for code in codes)  # 18 random bytes, URL-safe base64


def test_ids_are_normalised_by_one_function() -> None:
    """An id a user pastes (spaces, capitals) is made the stored one by `normalize_id`, and nowhere else."""
    import re
    from pathlib import Path

    from partnerhub.ids import normalize_id

    assert normalize_id("  6F2A41C0-1B7E-4C3D-9A2B-0D1E2F3A4B5C \n") == "6f2a41c0-1b7e-4c3d-9a2b-0d1e2f3a4b5c"
    src = Path(__file__).parent.parent / "src" / "partnerhub"
    by_hand = [
        f"{p}:{n}"
        for p in src.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if re.search(r"\w_id\)?\.strip\(\)\.lower\(\)", line)
    ]
    assert by_hand == []
