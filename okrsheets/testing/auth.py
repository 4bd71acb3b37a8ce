"""OAuth2 for service accounts: keys the fake generates, its token endpoint, token checks.

google-auth signs a JWT with the key's private key and posts it to the key's
``token_uri``; the fake checks the signature against the public key it kept
when it generated the key, and answers with an access token that expires on
the fake's clock (``expires_in`` 3599, like Google).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ApiError

TOKEN_LIFETIME = 3600
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class Account:
    email: str
    key_id: str
    public_pem: bytes
    project_id: str


@dataclass
class Token:
    value: str
    email: str
    project_id: str
    scopes: tuple[str, ...]
    expires_at: float


class OAuthError(Exception):
    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.body = {"error": error, "error_description": description}


class Authority:
    """Knows the service accounts and the access tokens handed out."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self.lifetime = TOKEN_LIFETIME

    def make_key(self, token_uri: str, *, email: str | None = None, project_id: str = "okrsheets-fake") -> dict[str, Any]:
        """A service-account key file (as a dict) whose token_uri is the fake."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key_id = secrets.token_hex(20)
        email = email or f"fake-sa-{len(self.accounts) + 1}@{project_id}.iam.gserviceaccount.com"
        with self._lock:
            self.accounts[key_id] = Account(email, key_id, public_pem, project_id)
        return {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": key_id,
            "private_key": private_pem.decode(),
            "client_email": email,
            "client_id": str(100000000000000000000 + len(self.accounts)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
            "universe_domain": "googleapis.com",
        }

    def write_key(self, path: str | Path, token_uri: str, **kwargs: Any) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.make_key(token_uri, **kwargs), indent=2), encoding="utf-8")
        return path

    def issue(self, email: str, project_id: str = "okrsheets-fake", scopes: tuple[str, ...] = ()) -> Token:
        token = Token("ya29.fake-" + secrets.token_urlsafe(32), email, project_id, scopes, self.clock.now() + self.lifetime)
        with self._lock:
            self.tokens[token.value] = token
        return token

    def exchange(self, form: dict[str, list[str]]) -> dict[str, Any]:
        """The token endpoint: a signed JWT assertion in, an access token out."""
        from google.auth import crypt, jwt

        grant = (form.get("grant_type") or [""])[0]
        if grant != JWT_BEARER:
            raise OAuthError(400, "unsupported_grant_type", "Invalid grant_type: " + grant)
        assertion = (form.get("assertion") or [""])[0]
        try:
            header, payload, signed, signature = jwt._unverified_decode(assertion)
        except Exception:
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.") from None
        account = self.accounts.get(header.get("kid", ""))
        if account is None:
            account = next((a for a in self.accounts.values() if a.email == payload.get("iss")), None)
        if account is None:
            raise OAuthError(400, "invalid_grant", "Invalid grant: account not found")
        verifier = crypt.RSAVerifier.from_string(account.public_pem)
        if not verifier.verify(signed, signature):
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        if payload.get("iss") != account.email:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: iss does not match the key.")
        if not str(payload.get("aud", "")).endswith("/token"):
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        iat, exp = payload.get("iat"), payload.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 3600 or exp <= iat:
            raise OAuthError(
                400,
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.",
            )
        scopes = tuple(str(payload.get("scope", "")).split())
        token = self.issue(account.email, account.project_id, scopes)
        return {"access_token": token.value, "expires_in": self.lifetime - 1, "token_type": "Bearer"}

    def check(self, header: str | None, service: str) -> Token:
        """The token behind an ``Authorization`` header, or Google's 401."""
        if not header or not header.lower().startswith("bearer "):
            raise unauthenticated(service, missing=True)
        value = header.split(" ", 1)[1].strip()
        token = self.tokens.get(value)
        if token is None:
            raise unauthenticated(service)
        if token.expires_at <= self.clock.now():
            raise unauthenticated(service, expired=True)
        return token

    def expire_all(self) -> None:
        with self._lock:
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, self.clock.now())


def unauthenticated(service: str, *, missing: bool = False, expired: bool = False) -> ApiError:
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'}
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. "
            "See https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "CREDENTIALS_MISSING"
        headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    else:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. "
            "See https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
        reason = "ACCESS_TOKEN_EXPIRED" if expired else "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    if service == "drive":
        return ApiError(
            401,
            message,
            "UNAUTHENTICATED",
            errors=[
                {
                    "message": "Invalid Credentials" if not missing else "Login Required.",
                    "domain": "global",
                    "reason": "authError" if not missing else "required",
                    "location": "Authorization",
                    "locationType": "header",
                }
            ],
            headers=headers,
        )
    return ApiError(
        401,
        message,
        "UNAUTHENTICATED",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": f"{service}.googleapis.com"},
            }
        ],
        headers=headers,
    )
