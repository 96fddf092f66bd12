"""The "altered page token" of the paging scenarios differs from the issued one, whatever its length."""

import pytest

from steps.profile import altered_token


@pytest.mark.parametrize("issued", ["x", "AB", "abcdefghi", "A" * 10, "eyJvIjoxfQ.c2lnbmF0dXJlLW9mLWEtbG9uZy10b2tlbg"])
def test_one_character_changes_and_the_length_stays(issued: str) -> None:
    altered = altered_token(issued)
    assert len(altered) == len(issued)
    assert sum(a != b for a, b in zip(altered, issued, strict=True)) == 1


def test_a_long_token_changes_inside_its_tail() -> None:
    issued = "0123456789" * 4
    assert altered_token(issued)[:-10] == issued[:-10]
