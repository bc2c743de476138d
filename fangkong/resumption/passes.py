"""Signed passes: an Ed25519 signature over a small JSON payload (JWS compact form,
``alg: EdDSA``), so a pass is verified from the public key alone.

Token: ``base64url(header) . base64url(payload) . base64url(signature)``; the header
names the key (``kid``); the payload carries only what the verification page shows:
the masked holder, the last four characters of the ID number, the scope, the issuer, the
purpose, the pass's id (``jti``) and its times (``iat``, ``nbf``, ``exp``, Unix seconds).

Private keys never enter the database: each is a PKCS#8 PEM file under
``FANGKONG_VAR_DIR/pass-keys/<kid>.pem``, created with mode 0600. The database keeps the
public half (``SigningKey``), which ``GET /api/v1/passes/keys`` publishes with the
revocation list (docs/decisions/resumption.md).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone

PURPOSE = "fangkong.resumption.pass"
TYP = "fk-pass+jws"
MAX_TOKEN = 2048


class KeyMissing(Exception):
    """The private key of the active signing key is not on this machine."""


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    if not isinstance(text, str) or not text or len(text) > MAX_TOKEN:
        raise ValueError("bad segment")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_dir() -> Path:
    return Path(settings.VAR_DIR) / "pass-keys"


def new_keypair() -> tuple[str, str]:
    """Make a key pair, write the private half to its file (0600); ``(kid, public)``."""
    private = Ed25519PrivateKey.generate()
    kid = timezone.now().strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    fd = os.open(directory / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
    return kid, b64e(public)


def _private(kid: str) -> Ed25519PrivateKey:
    path = key_dir() / f"{kid}.pem"
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyMissing(kid) from None
    assert isinstance(key, Ed25519PrivateKey)
    return key


def sign(kid: str, claims: dict[str, Any]) -> str:
    header = {"alg": "EdDSA", "kid": kid, "typ": TYP}
    signing_input = (b64e(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + b64e(json.dumps(claims, separators=(",", ":"),
                                       ensure_ascii=False).encode()))
    signature = _private(kid).sign(signing_input.encode("ascii"))
    return signing_input + "." + b64e(signature)


@dataclass
class Verification:
    """What a check of a token found. ``claims`` only when the signature holds."""

    status: str
    checked_at: datetime
    claims: dict[str, Any] = field(default_factory=dict)

    def _text(self, key: str) -> str:
        stamp = self.claims.get(key)
        if not isinstance(stamp, int):
            return ""
        return datetime.fromtimestamp(stamp, tz=timezone.get_default_timezone()).strftime(
            "%Y-%m-%d %H:%M")

    @property
    def valid_from_text(self) -> str:
        return self._text("nbf")

    @property
    def valid_until_text(self) -> str:
        return self._text("exp")

    @property
    def checked_text(self) -> str:
        return timezone.localtime(self.checked_at).strftime("%Y-%m-%d %H:%M:%S")

    def as_json(self) -> dict[str, Any]:
        c = self.claims

        def when(k: str) -> str | None:
            if not isinstance(c.get(k), int):
                return None
            return datetime.fromtimestamp(c[k], tz=timezone.get_default_timezone()).isoformat()

        return {
            "status": self.status,
            "holder": c.get("hld"), "id_last4": c.get("id4"), "scope": c.get("scp"),
            "kind": c.get("knd"),
            "valid_from": when("nbf"), "valid_until": when("exp"), "issuer": c.get("iss"),
            "checked_at": self.checked_at.astimezone(
                timezone.get_default_timezone()).isoformat(timespec="seconds"),
        }


def verify(token: str, public_keys: dict[str, str], revoked: set[str], *,
           kind: str | None = None, now: datetime | None = None) -> Verification:
    """Check ``token`` against the published keys (kid → public key) and revocation list
    (jti's). Order: signature, purpose, revocation, validity."""
    now = now or timezone.now()
    bad = Verification("invalid_signature", now)
    try:
        head_b64, body_b64, sig_b64 = (token or "").strip().split(".")
        header = json.loads(b64d(head_b64))
        if header.get("alg") != "EdDSA" or header.get("kid") not in public_keys:
            return bad
        public = Ed25519PublicKey.from_public_bytes(b64d(public_keys[header["kid"]]))
        public.verify(b64d(sig_b64), f"{head_b64}.{body_b64}".encode("ascii"))
        claims = json.loads(b64d(body_b64))
        if not isinstance(claims, dict):
            return bad
    except (ValueError, TypeError, InvalidSignature, UnicodeError, AttributeError):
        return bad
    if claims.get("pur") != PURPOSE or (kind and claims.get("knd") != kind):
        return Verification("not_for_purpose", now, claims)
    if str(claims.get("jti")) in revoked:
        return Verification("revoked", now, claims)
    stamp = now.timestamp()
    nbf, exp = claims.get("nbf"), claims.get("exp")
    if not isinstance(nbf, int) or not isinstance(exp, int) or not nbf <= stamp < exp:
        return Verification("expired", now, claims)
    return Verification("valid", now, claims)
