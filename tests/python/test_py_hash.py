"""Module-level hash and base64 helpers (cymongoose's md5, sha1, sha256,
hmac_sha256, base64_encode, base64_decode). Expected values are RFC vectors
or were observed from cymongoose (Mongoose 7.23)."""
import pytest

import mongoose_rs
from mongoose_rs import base64_decode, base64_encode, hmac_sha256, md5, sha1, sha256


def test_exported():
    for n in ("md5", "sha1", "sha256", "hmac_sha256", "base64_encode", "base64_decode"):
        assert n in mongoose_rs.__all__
        assert callable(getattr(mongoose_rs, n))


def test_digests():
    assert md5(b"abc").hex() == "900150983cd24fb0d6963f7d28e17f72"
    assert md5("abc") == md5(b"abc")
    assert md5(b"").hex() == "d41d8cd98f00b204e9800998ecf8427e"
    assert sha1(b"abc").hex() == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert sha1(b"").hex() == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert sha256("abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256(b"a" * 1_000_000).hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    # Non-ASCII str is hashed as UTF-8; bytes-like objects are accepted.
    assert md5("h\u00e9") == md5("h\u00e9".encode("utf-8"))
    assert sha1(bytearray(b"abc")) == sha1(b"abc")
    assert md5(memoryview(b"abc")) == md5(b"abc")
    assert (len(md5(b"x")), len(sha1(b"x")), len(sha256(b"x"))) == (16, 20, 32)


def test_digests_match_hashlib_across_block_sizes():
    import hashlib

    for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000):
        data = bytes((i * 13 + 5) & 255 for i in range(n))
        assert md5(data) == hashlib.md5(data).digest()
        assert sha1(data) == hashlib.sha1(data).digest()
        assert sha256(data) == hashlib.sha256(data).digest()


def test_none_is_a_type_error():
    with pytest.raises(TypeError):
        md5(None)
    with pytest.raises(TypeError):
        hmac_sha256(None, b"x")


def test_hmac_sha256():
    # RFC 4231 cases 1, 2 and 6.
    assert hmac_sha256(b"\x0b" * 20, b"Hi There").hex() == (
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    )
    assert hmac_sha256("Jefe", "what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert hmac_sha256(b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First").hex() == (
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    )
    assert hmac_sha256(b"", b"").hex() == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"


def test_hmac_64_byte_key_follows_rfc2104():
    import hashlib
    import hmac

    key = bytes(range(64))
    assert hmac_sha256(key, b"d") == hmac.new(key, b"d", hashlib.sha256).digest()
    # (cymongoose/Mongoose 7.23 hash a 64-byte key first and give this:)
    assert hmac_sha256(key, b"d") != hmac.new(hashlib.sha256(key).digest(), b"d", hashlib.sha256).digest()


def test_base64_encode():
    assert base64_encode(b"hello") == "aGVsbG8="
    assert base64_encode("h\u00e9") == "aMOp"
    assert base64_encode(b"") == ""
    for plain, enc in [(b"f", "Zg=="), (b"fo", "Zm8="), (b"foo", "Zm9v"), (b"foobar", "Zm9vYmFy")]:
        assert base64_encode(plain) == enc
    assert len(base64_encode(b"x" * 10000)) == 13336
    assert base64_encode(bytes(range(256))[-3:]) == "/f7/"


def test_base64_decode():
    assert base64_decode("aGVsbG8=") == b"hello"
    assert base64_decode("aGVsbA==") == b"hell"
    assert base64_decode("aGVsbG8gd29ybGQ=") == b"hello world"
    assert base64_decode("") == b""
    assert base64_decode("AP8A") == b"\x00\xff\x00"
    # Mongoose's rules: a trailing partial group is dropped (even an invalid
    # one), '=' ends a group, an invalid character anywhere else gives b"".
    assert base64_decode("aGVsbG8") == b"hel"
    assert base64_decode("aGVs*") == b"hel"
    assert base64_decode("aG==aGVs") == b"hhel"
    assert base64_decode("aGVs*GVs") == b""
    assert base64_decode("aGVs\nbA==") == b""
    assert base64_decode("====") == b""
    assert base64_decode("YW-_") == b""
    assert base64_decode("A" * 1000) == b"\x00" * 750


def test_base64_decode_wants_ascii_str():
    with pytest.raises(TypeError):
        base64_decode(b"aGVsbG8=")
    with pytest.raises(UnicodeEncodeError):
        base64_decode("h\u00e9")


def test_round_trip():
    for n in range(0, 40):
        data = bytes((i * 7 + n) & 255 for i in range(n))
        assert base64_decode(base64_encode(data)) == data
