"""Kubernetes service-account tokens (RS256 JWTs) as EKS Auth and STS check them: the signature against the
cluster's public keys (a JWKS, given by control `service-account-keys`), then expiry and not-before.

    KEYS.set(jwks); claims = verify(token)   # raises TokenError("invalid" | "expired", message)
"""

import base64
import json
import threading
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

LEEWAY_SECONDS = 0  # neither service accepts an expired token


class TokenError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message  # kind: "invalid" | "expired"


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: str) -> int:
    return int.from_bytes(_b64(text), "big")


class Keys:
    """The public keys of the service-account issuer(s), by `kid`. They survive a reset (like the wiring)."""

    def __init__(self) -> None:
        self.lock, self.jwks, self.by_kid = threading.Lock(), {"keys": []}, {}

    def set(self, jwks: Any) -> None:
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        if not isinstance(keys, list):
            raise ValueError('a JWKS: {"keys": [{"kty": "RSA", "kid", "n", "e"}, ...]}')
        by_kid = {}
        for i, k in enumerate(keys):
            if not isinstance(k, dict) or k.get("kty") != "RSA" or not k.get("n") or not k.get("e"):
                raise ValueError(f"keys[{i}]: only RSA keys with n and e are supported")
            by_kid[k.get("kid") or f"#{i}"] = rsa.RSAPublicNumbers(_int(k["e"]), _int(k["n"])).public_key()
        with self.lock:
            self.jwks, self.by_kid = {"keys": keys}, by_kid

    def find(self, kid: str | None) -> list[Any]:
        with self.lock:
            if kid is not None:
                return [self.by_kid[kid]] if kid in self.by_kid else []
            return list(self.by_kid.values())  # no kid: any key may have signed it


KEYS = Keys()


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise TokenError("invalid", "the token is not a JWT")
    try:
        header, claims = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, TypeError):
        raise TokenError("invalid", "the token is not a JWT")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("invalid", "the token is not a JWT")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def verify(token: str, now: float | None = None) -> dict[str, Any]:
    header, claims, signed, signature = decode_unverified(token)
    if header.get("alg") != "RS256":
        raise TokenError("invalid", f"unsupported signing algorithm {header.get('alg')!r}")
    keys = KEYS.find(header.get("kid"))
    if not keys:
        raise TokenError("invalid", "no key of the issuer matches the token's key ID")
    for key in keys:
        try:
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            break
        except InvalidSignature:
            continue
    else:
        raise TokenError("invalid", "the token's signature does not verify")
    now = time.time() if now is None else now
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, (int, float)):
        raise TokenError("invalid", "the token has no expiry")
    if now >= exp + LEEWAY_SECONDS:
        raise TokenError("expired", f"current date/time {int(now)} must be before the expiration date/time {int(exp)}")
    if isinstance(nbf, (int, float)) and now < nbf:
        raise TokenError("invalid", "the token is not valid yet")
    return claims


def audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return [a for a in (aud if isinstance(aud, list) else [aud]) if isinstance(a, str)]
