"""Login with a JWT (Kustomer.login, logout, isLoggedIn): verify the token, identify the customer."""
from __future__ import annotations

import functools
import json
import time
from typing import TYPE_CHECKING

from . import assistant as assistants
from .errors import (JwtAlgorithmNotAllowed, JwtBadSignature, JwtFutureIat, JwtInvalidClaim, JwtMalformed,
                     JwtMissingIat, JwtMissingIdentity, JwtStaleIat, NotFound, ValueTooLong)
from ..strict_json import loads
from .models import Customer

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 4096        # a login JWT with an email is ~200 characters
MAX_AGE_SECONDS = 15 * 60     # Kustomer: iat must be less than 15 minutes old
FUTURE_SKEW_SECONDS = 60      # clocks of the page's server and of Kustomer may differ a little


@functools.cache
def _jwt():
    """PyJWT's signer for HS256 and its exceptions module, loaded at the first login rather than at boot.

    PyJWT imports `cryptography` whenever it is installed, a tenth of a second no other call needs.
    """
    from jwt import PyJWS, exceptions
    from jwt.algorithms import HMACAlgorithm

    class AnyLengthHS256(HMACAlgorithm):
        """HS256 without PyJWT's short-key warning: the chat secret is the org's choice, not ours."""

        def check_key_length(self, key):
            return None

    jws = PyJWS(algorithms=[])
    jws.register_algorithm(ALGORITHM, AnyLengthHS256(HMACAlgorithm.SHA256))
    return jws, exceptions


def make_login_token(secret: str, email: str | None = None, external_id: str | int | None = None,
                     iat: float | None = None, **claims) -> str:
    """A login JWT as the page's server signs it: HS256 over {email|externalId, iat}."""
    if email is None and external_id is None and not claims:
        raise ValueError("a login token needs an email or an external id")
    payload = {k: v for k, v in (("email", email), ("externalId", external_id)) if v is not None}
    payload["iat"] = int(time.time() if iat is None else iat)
    payload.update(claims)
    return _jwt()[0].encode(json.dumps(payload, separators=(",", ":")).encode(), secret, algorithm=ALGORITHM)


def verify_login_token(token: str, secret: str, now: float) -> dict:
    """The {email, externalId} a valid token names (email wins), or the error of the first failed check."""
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueTooLong(f"a login token may hold at most {MAX_TOKEN_CHARS} characters", pointer="/jwtToken")
    jws, errors = _jwt()
    try:
        header = jws.get_unverified_header(token)
    except (errors.DecodeError, ValueError, TypeError) as exc:
        raise JwtMalformed(f"the login token is not a JWT: {exc}") from None
    if header.get("alg") != ALGORITHM:
        raise JwtAlgorithmNotAllowed(f"login tokens are signed with HS256, not {header.get('alg')!r}")
    try:
        raw = jws.decode(token, secret, algorithms=[ALGORITHM])
    except errors.InvalidSignatureError:
        raise JwtBadSignature("the signature does not verify with this org's chat secret") from None
    except errors.InvalidTokenError as exc:
        raise JwtMalformed(f"the login token is not a JWT: {exc}") from None
    try:
        claims = loads(raw)   # standard JSON only: a NaN iat would pass every age check
    except ValueError:
        claims = None
    if not isinstance(claims, dict):
        raise JwtMalformed("the login token's payload is not a JSON object")
    identity = _identity(claims)
    _check_time(claims, now)
    return identity


def _identity(claims: dict) -> dict:
    email, external_id = claims.get("email"), claims.get("externalId")
    if email is not None and not isinstance(email, str):
        raise JwtInvalidClaim("the email claim must be a string")
    # the official sample signs a random integer externalId: take numbers as their decimal text
    if isinstance(external_id, bool) or (external_id is not None and not isinstance(external_id, (str, int))):
        raise JwtInvalidClaim("the externalId claim must be a string (or an integer)")
    email = email.strip() if email else None
    external_id = str(external_id).strip() if external_id is not None else None
    if email:
        return {"email": email, "externalId": None}  # email wins; externalId is ignored
    if external_id:
        return {"email": None, "externalId": external_id}
    raise JwtMissingIdentity("the login token needs an email or an externalId claim")


def _check_time(claims: dict, now: float) -> None:
    iat = claims.get("iat")
    if iat is None:
        raise JwtMissingIat("the login token needs an iat (issued at, in seconds) claim")
    if isinstance(iat, bool) or not isinstance(iat, (int, float)):
        raise JwtInvalidClaim("the iat claim must be a number of seconds since the epoch")
    if iat > now + FUTURE_SKEW_SECONDS:
        raise JwtFutureIat(f"iat is {iat - now:.0f} seconds after the mock clock's time")
    if now - iat >= MAX_AGE_SECONDS:
        raise JwtStaleIat(f"iat is {now - iat:.0f} seconds old; it must be less than {MAX_AGE_SECONDS}")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp <= now:
        raise JwtStaleIat("the login token's exp has passed")


# -- the calls -------------------------------------------------------------------------------------

def find_customer(org: Org, email: str | None, external_id: str | None) -> Customer | None:
    """The customer with this email (case-insensitive) or, without an email, this external id."""
    for customer in org.customers.values():
        if email and email.lower() in {e["email"].lower() for e in customer.emails}:
            return customer
        if not email and external_id and customer.external_id == external_id:
            return customer
    return None


def login(org: Org, tracking_token: str, jwt_token: str, brand_id: str | None = None,
          assistant_id: str | None = None) -> dict:
    """Kustomer.login: identify the token's session as the JWT's customer, moving anonymous history."""
    info = org.token_info(tracking_token)
    if brand_id and brand_id not in {b["id"] for b in org.brands}:
        raise NotFound(f"no brand {brand_id} in this org", pointer="/brandId")
    assistants.find(org, assistant_id)
    identity = verify_login_token(jwt_token, org.chat_secret, org.clock.timestamp())
    with org.writing("tokens"):   # finding or making the customer and moving the session in one step
        previous = org.customers[info["customerId"]]
        customer = find_customer(org, identity["email"], identity["externalId"])
        if customer is None:
            customer = org.new_customer(email=identity["email"], external_id=identity["externalId"],
                                        anonymous=False)
        with org.change("customer", customer):
            if previous.anonymous and previous.id != customer.id:
                _move_history(org, previous, customer)
            customer.anonymous = False
        info.update({"customerId": customer.id, "loggedIn": True,
                     **{k: v for k, v in (("brandId", brand_id), ("assistantId", assistant_id)) if v}})
    answer = {"identified": True, "customerId": customer.id, "email": customer.email,
              "externalId": customer.external_id}
    org.events.emit("onLogin", answer, customer.id)
    return answer


def _move_history(org: Org, anonymous: Customer, customer: Customer) -> None:
    """The anonymous customer's conversations (and their messages) now belong to `customer`."""
    now = org.now()
    for conversation in org.conversations_of(anonymous.id):
        with org.change("conversation", conversation):
            conversation.customer_id, conversation.updated_at = customer.id, now
        for message in org.messages.get(conversation.id, []):
            with org.change("message", message):
                message.customer_id = customer.id
    customer.updated_at = now


def logout(org: Org, tracking_token: str | None) -> dict:
    """Kustomer.logout: end the session; its token stops working. Idempotent."""
    with org.writing("tokens") as tokens:
        info = tokens.pop(tracking_token or "", None)
    if info is None:
        return {"loggedOut": False, "customerId": None}
    answer = {"loggedOut": True, "customerId": info["customerId"]}
    org.events.emit("onLogout", answer, info["customerId"])
    return answer


def is_logged_in(org: Org, tracking_token: str | None, email: str | None = None,
                 external_id: str | None = None) -> bool:
    """Kustomer.isLoggedIn({email}|{externalId}): is this session logged in as that customer?"""
    info = org.tokens.get(tracking_token or "")
    if not info or not info.get("loggedIn"):
        return False
    customer = org.customers.get(info["customerId"])
    if customer is None:
        return False
    if email:
        return (customer.email or "").lower() == email.strip().lower()
    return customer.external_id is not None and customer.external_id == str(external_id).strip()
