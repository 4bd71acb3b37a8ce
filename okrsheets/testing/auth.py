"""OAuth2: service-account keys, desktop OAuth clients, the token and consent endpoints.

Three ways to an access token, as Google's OAuth 2.0 server gives them:

* service account: google-auth signs a JWT with the key's private key and
  posts it to the key's ``token_uri``; the fake checks the signature against
  the public key it kept when it generated the key. A ``sub`` claim
  (domain-wide delegation, google-auth's ``with_subject``) makes the token
  act as that user, but only once :meth:`Authority.allow_delegation` has
  authorized the key's client ID for the requested scopes, as a Workspace
  admin does in the Admin console; otherwise Google's ``401
  unauthorized_client``.
* installed (desktop) app: ``GET /o/oauth2/auth`` stands for the consent
  screen: it consents at once as :attr:`Authority.consent_user` and
  redirects to the loopback ``redirect_uri`` with a code, which
  ``grant_type=authorization_code`` (PKCE checked) turns into an access and a
  refresh token;
* ``grant_type=refresh_token``: a refresh token in, an access token out;
  a revoked one gets ``400 invalid_grant`` "Token has been expired or revoked.".

Access tokens expire on the fake's clock (``expires_in`` 3599, like Google).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from .errors import ApiError

TOKEN_LIFETIME = 3600
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"
DEFAULT_CONSENT_USER = "okr-admin@company.example"
UNAUTHORIZED_CLIENT = (
    "Client is unauthorized to retrieve access tokens using this method, "
    "or client not authorized for any of the scopes requested."
)
REVOKED = "Token has been expired or revoked."


@dataclass
class Account:
    email: str
    key_id: str
    public_pem: bytes
    project_id: str
    client_id: str = ""
    drive_storage: bool = False  # service accounts made since April 2025 have none


@dataclass
class OAuthClient:
    """A desktop ("installed") OAuth client of a Cloud project."""

    client_id: str
    client_secret: str
    project_id: str


@dataclass
class Grant:
    """What a person consented to: an authorization code or a refresh token stands for it."""

    client_id: str
    email: str
    scopes: tuple[str, ...]
    redirect_uri: str = ""
    code_challenge: str | None = None
    code_challenge_method: str = "plain"
    revoked: bool = False


@dataclass
class Token:
    value: str
    email: str
    project_id: str
    scopes: tuple[str, ...]
    expires_at: float
    drive_storage: bool = True  # False for a service account without Drive storage
    service_account: bool = False


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
        self.clients: dict[str, OAuthClient] = {}
        self.codes: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.delegations: dict[str, set[str]] = {}  # service account client ID -> scopes an admin authorized
        self.consent_user = DEFAULT_CONSENT_USER
        self._lock = threading.Lock()
        self.lifetime = TOKEN_LIFETIME

    def make_key(
        self,
        token_uri: str,
        *,
        email: str | None = None,
        project_id: str = "okrsheets-fake",
        drive_storage: bool = False,
    ) -> dict[str, Any]:
        """A service-account key file (as a dict) whose token_uri is the fake.

        ``drive_storage=False`` (the default) is a service account created since
        April 2025: it owns no Drive storage, so it can create files only in a
        shared drive. ``True`` is an older one with its own 15 GB.
        """
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
            client_id = str(100000000000000000000 + len(self.accounts) + 1)
            self.accounts[key_id] = Account(email, key_id, public_pem, project_id, client_id, drive_storage)
        return {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": key_id,
            "private_key": private_pem.decode(),
            "client_email": email,
            "client_id": client_id,
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

    def issue(
        self,
        email: str,
        project_id: str = "okrsheets-fake",
        scopes: tuple[str, ...] = (),
        *,
        drive_storage: bool = True,
        service_account: bool = False,
    ) -> Token:
        token = Token(
            "ya29.fake-" + secrets.token_urlsafe(32), email, project_id, scopes, self.clock.now() + self.lifetime,
            drive_storage, service_account,
        )
        with self._lock:
            self.tokens[token.value] = token
        return token

    # ------------------------------------------------------------------ desktop clients
    def make_client(self, project_id: str = "okrsheets-fake") -> OAuthClient:
        with self._lock:
            n = len(self.clients) + 1
            client = OAuthClient(
                f"{n}00000000000-fake{n}.apps.googleusercontent.com", "GOCSPX-fake-" + secrets.token_urlsafe(18), project_id
            )
            self.clients[client.client_id] = client
        return client

    def allow_delegation(self, client_id: str, scopes: tuple[str, ...] | list[str]) -> None:
        """What a Workspace admin does under Security > API controls > Domain-wide delegation."""
        with self._lock:
            self.delegations[client_id] = set(scopes)

    def revoke(self, email: str | None = None) -> int:
        """Revoke the refresh tokens of ``email`` (all when None); returns how many."""
        count = 0
        with self._lock:
            for grant in self.refresh_tokens.values():
                if email is None or grant.email.lower() == email.lower():
                    grant.revoked = True
                    count += 1
        return count

    def authorize(self, query: dict[str, list[str]]) -> str:
        """``GET /o/oauth2/auth``: the consent screen, consented at once; returns the redirect URL."""
        def one(key: str) -> str:
            return (query.get(key) or [""])[-1]

        client = self.clients.get(one("client_id"))
        if client is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        redirect = one("redirect_uri")
        host = urlsplit(redirect).hostname
        if urlsplit(redirect).scheme != "http" or host not in ("localhost", "127.0.0.1", "[::1]", "::1"):
            raise OAuthError(400, "invalid_request", f"Invalid parameter value for redirect_uri: {redirect}")
        if one("response_type") != "code":
            raise OAuthError(400, "unsupported_response_type", "Invalid response_type: " + one("response_type"))
        scopes = tuple(one("scope").split())
        if not scopes:
            raise OAuthError(400, "invalid_request", "Missing required parameter: scope")
        code = "4/0fake-" + secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = Grant(
                client.client_id, self.consent_user, scopes, redirect,
                one("code_challenge") or None, one("code_challenge_method") or "plain",
            )
        answer = {"code": code, "scope": " ".join(scopes)}
        if one("state"):
            answer = {"state": one("state"), **answer}
        return redirect + ("&" if "?" in redirect else "?") + urlencode(answer)

    def _client(self, form: dict[str, list[str]]) -> OAuthClient:
        client = self.clients.get((form.get("client_id") or [""])[0])
        if client is None or (form.get("client_secret") or [""])[0] != client.client_secret:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        return client

    def _code_grant(self, form: dict[str, list[str]]) -> dict[str, Any]:
        client = self._client(form)
        with self._lock:
            grant = self.codes.pop((form.get("code") or [""])[0], None)
        if grant is None or grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if (form.get("redirect_uri") or [""])[0] != grant.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        if grant.code_challenge is not None:
            verifier = (form.get("code_verifier") or [""])[0]
            if grant.code_challenge_method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            else:
                computed = verifier
            if computed != grant.code_challenge:
                raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        refresh = "1//0fake-" + secrets.token_urlsafe(32)
        with self._lock:
            self.refresh_tokens[refresh] = grant
        token = self.issue(grant.email, client.project_id, grant.scopes)
        return {
            "access_token": token.value, "expires_in": self.lifetime - 1, "refresh_token": refresh,
            "scope": " ".join(grant.scopes), "token_type": "Bearer",
        }

    def _refresh_grant(self, form: dict[str, list[str]]) -> dict[str, Any]:
        client = self._client(form)
        grant = self.refresh_tokens.get((form.get("refresh_token") or [""])[0])
        if grant is None or grant.revoked or grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", REVOKED)
        token = self.issue(grant.email, client.project_id, grant.scopes)
        return {"access_token": token.value, "expires_in": self.lifetime - 1, "scope": " ".join(grant.scopes), "token_type": "Bearer"}

    def exchange(self, form: dict[str, list[str]]) -> dict[str, Any]:
        """The token endpoint: a signed JWT, an authorization code or a refresh token in, an access token out."""
        from google.auth import crypt, jwt

        grant = (form.get("grant_type") or [""])[0]
        if grant == AUTHORIZATION_CODE:
            return self._code_grant(form)
        if grant == REFRESH_TOKEN:
            return self._refresh_grant(form)
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
        subject = payload.get("sub")
        if subject and subject != account.email:
            allowed = self.delegations.get(account.client_id, set())
            if not scopes or not set(scopes) <= allowed:
                raise OAuthError(401, "unauthorized_client", UNAUTHORIZED_CLIENT)
            token = self.issue(str(subject), account.project_id, scopes)
        else:
            token = self.issue(
                account.email, account.project_id, scopes, drive_storage=account.drive_storage, service_account=True
            )
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
