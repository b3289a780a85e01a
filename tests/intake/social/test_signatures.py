"""Webhook proofs: a signature holds for exactly the bytes and the secret it was made
with; compared in constant time, never with an empty secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from ombuds.intake.social.signatures import (
    meta_signature,
    meta_signature_valid,
    token_matches,
    x_crc_response,
    x_signature,
    x_signature_valid,
)

secrets = st.text(min_size=1, max_size=64)
bodies = st.binary(max_size=512)


@given(secret=secrets, body=bodies)
def test_metas_signature_is_the_hex_hmac_of_the_body(secret, body):
    header = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert meta_signature(secret, body) == header
    assert meta_signature_valid(secret=secret, body=body, header=header)
    assert meta_signature_valid(
        secret=secret, body=body, header=header.upper().replace("SHA256", "sha256")
    )


@given(secret=secrets, other=secrets, body=bodies, extra=st.binary(min_size=1, max_size=8))
def test_a_signature_fails_for_other_bytes_or_another_secret(secret, other, body, extra):
    header = meta_signature(secret, body)
    assert not meta_signature_valid(secret=secret, body=body + extra, header=header)
    if other != secret:
        assert not meta_signature_valid(secret=other, body=body, header=header)
        assert not x_signature_valid(secret=other, body=body, header=x_signature(secret, body))
    assert not x_signature_valid(secret=secret, body=body + extra, header=x_signature(secret, body))


@given(body=bodies)
def test_an_empty_secret_or_header_never_verifies(body):
    assert not meta_signature_valid(secret="", body=body, header=meta_signature("", body))
    assert not x_signature_valid(secret="", body=body, header=x_signature("", body))
    assert not meta_signature_valid(secret="s", body=body, header="")
    assert not token_matches(expected="", given="")


def test_xs_crc_answer_is_documented_base64_hmac():
    digest = hmac.new(b"consumer", b"token", hashlib.sha256).digest()
    assert x_crc_response(secret="consumer", crc_token="token") == (
        "sha256=" + base64.b64encode(digest).decode()
    )


@given(token=st.text(min_size=1, max_size=64), other=st.text(min_size=1, max_size=64))
def test_a_shared_token_matches_only_itself(token, other):
    assert token_matches(expected=token, given=token)
    assert token_matches(expected=token, given=other) == (token == other)
