"""A signed URL's expiry and the ``expires_at_unixms`` beside it agree within the signers' rounding."""

import calendar
import time

from steps.driver.upload import expiry_agrees, signed_expiry_ms

SIGNED_AT = "20261130T120000Z"
SIGNED_AT_MS = calendar.timegm(time.strptime(SIGNED_AT, "%Y%m%dT%H%M%SZ")) * 1000


def url(lifetime_seconds: int) -> str:
    return (
        "https://storage.googleapis.com/b/raw_videos/u/v?X-Goog-Algorithm=GOOG4-RSA-SHA256"
        f"&X-Goog-Date={SIGNED_AT}&X-Goog-Expires={lifetime_seconds}&X-Goog-Signature=00"
    )


def test_the_expiry_is_read_in_utc_whatever_the_local_zone() -> None:
    assert signed_expiry_ms(url(900)) == SIGNED_AT_MS + 900_000


def test_a_signer_rounding_date_and_lifetime_down_still_agrees() -> None:
    # Signed at 12:00:00.950 for 900.9 s: Google's signers write 12:00:00 and 900 s, the service
    # reports its own 12:15:01.850.
    assert expiry_agrees(url(900), SIGNED_AT_MS + 901_850)
    assert expiry_agrees(url(900), SIGNED_AT_MS + 898_500)


def test_an_expiry_further_off_disagrees() -> None:
    assert not expiry_agrees(url(900), SIGNED_AT_MS + 902_001)
    assert not expiry_agrees(url(600), SIGNED_AT_MS + 900_000)
