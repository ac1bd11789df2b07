"""One exception class per error code; the HTTP layer turns them into the Kustomer envelope."""
from __future__ import annotations


class ApiError(Exception):
    """Base of every error the mock answers with; carries status, code and a JSON pointer."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, pointer: str | None = None,
                 parameter: str | None = None, meta: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.pointer = pointer
        self.parameter = parameter
        self.meta = meta or {}

    def to_dict(self) -> dict:
        """The JSON:API error object for this error."""
        body = {"status": self.status, "code": self.code, "title": self.title, "detail": self.detail}
        if self.pointer is not None:
            body["source"] = {"pointer": self.pointer}
        elif self.parameter is not None:
            body["source"] = {"parameter": self.parameter}
        if self.meta:
            body["meta"] = self.meta
        return body


class BadRequest(ApiError):
    """A request the mock cannot read at all."""


class InvalidJson(ApiError):
    """The body is not valid JSON."""
    code, title = "invalid_json", "Malformed JSON body"


class InvalidBody(ApiError):
    """The body is JSON but not an object."""
    code, title = "invalid_body", "The body must be a JSON object"


class UnsupportedMediaType(ApiError):
    """A body was sent with another content type than JSON."""
    status, code, title = 415, "unsupported_media_type", "Content-Type must be application/json"


class PayloadTooLarge(ApiError):
    """The body is over the configured limit."""
    status, code, title = 413, "payload_too_large", "Request body too large"


class InvalidField(ApiError):
    """A field has the wrong type or value."""
    code, title = "invalid_field", "Invalid field"


class UnknownField(ApiError):
    """A field that the operation does not take."""
    code, title = "unknown_field", "Unknown field"


class MissingField(ApiError):
    """A required field is missing."""
    code, title = "missing_field", "Missing field"


class UnknownAttribute(ApiError):
    """A custom attribute that is not on the Klass."""
    code, title = "unknown_attribute", "Unknown custom attribute"

    def __init__(self, name: str, klass: str, pointer_root: str = "/customAttributes"):
        super().__init__(f"{name} is not an attribute of the {klass} Klass",
                         pointer=f"{pointer_root}/{name}")


class InvalidAttribute(ApiError):
    """A custom attribute value that does not fit its type."""
    code, title = "invalid_attribute", "Invalid custom attribute value"

    def __init__(self, name: str, reason: str, pointer_root: str = "/customAttributes"):
        super().__init__(f"{name}: {reason}", pointer=f"{pointer_root}/{name}")


class ValueTooLong(ApiError):
    """A message or attribute value over its documented length."""
    code, title = "value_too_long", "Value too long"


class MissingApiKey(ApiError):
    """No API key was sent."""
    status, code, title = 401, "missing_api_key", "Missing API key"


class InvalidApiKey(ApiError):
    """An API key the mock will not build an org for (over MAX_KEY_CHARS)."""
    code, title = "invalid_api_key", "Invalid API key"


class NotStarted(ApiError):
    """A /c/ call without a tracking token from start."""
    status, code, title = 401, "not_started", "Chat not started"

    def __init__(self, detail: str | None = None):
        super().__init__(detail or "No valid tracking token: let Kustomer.start() finish and call "
                         "this method from its callback.")


class Forbidden(ApiError):
    """The key lacks the role for this surface."""
    status, code, title = 403, "forbidden", "Forbidden"


class NotFound(ApiError):
    """An id that does not exist, or that this caller may not see."""
    status, code, title = 404, "not_found", "Not found"


class RouteNotFound(ApiError):
    """No route at this path."""
    status, code, title = 404, "route_not_found", "No such route"


class MethodNotAllowed(ApiError):
    """The route exists but not with this method."""
    status, code, title = 405, "method_not_allowed", "Method not allowed"


class EndingNotAllowed(ApiError):
    """endConversation while the org does not allow chats to be ended."""
    status, code, title = 403, "ending_not_allowed", "Chats may not be ended"

    def __init__(self):
        super().__init__("This org does not allow chats to be ended "
                         "(Apps > Chat > Settings > Allow chats to be ended).")


class ConversationEnded(ApiError):
    """A write to a conversation that has ended."""
    status, code, title = 409, "conversation_ended", "Conversation has ended"


class ChatUnavailable(ApiError):
    """Chat is disabled for this org."""
    status, code, title = 403, "chat_disabled", "Chat is disabled"


class UnknownAssistant(ApiError):
    """An assistantId that the org does not have."""
    status, code, title = 404, "unknown_assistant", "Unknown assistant"


class InvalidSelection(ApiError):
    """An answer that is not one of the options of the open question."""
    code, title = "invalid_selection", "Not one of the options"


class Conflict(ApiError):
    """A write that conflicts with the current state."""
    status, code, title = 409, "conflict", "Conflict"


class RateLimited(ApiError):
    """Too many requests in the window."""
    status, code, title = 429, "rate_limited", "Too many requests"


class ServiceUnavailable(ApiError):
    """The mock is not ready or an injected outage."""
    status, code, title = 503, "service_unavailable", "Service unavailable"


# -- login (JWT) and the control plane ----------------------------------------------------------

class LoginFailed(ApiError):
    """Base of the login token errors: the token does not authenticate anyone (401)."""
    status, code, title = 401, "jwt_invalid", "Invalid login token"

    def __init__(self, detail: str | None = None):
        super().__init__(detail, pointer="/jwtToken")


class JwtMalformed(LoginFailed):
    """Not three base64url segments of JSON."""
    code, title = "jwt_malformed", "Malformed login token"


class JwtAlgorithmNotAllowed(LoginFailed):
    """Signed with anything but HS256 (alg none included)."""
    code, title = "jwt_alg_not_allowed", "Login token algorithm not allowed"


class JwtBadSignature(LoginFailed):
    """The signature does not verify with the org's chat secret."""
    code, title = "jwt_bad_signature", "Login token signature does not verify"


class JwtMissingIdentity(LoginFailed):
    """Neither email nor externalId in the claims."""
    code, title = "jwt_missing_identity", "Login token names no customer"


class JwtInvalidClaim(LoginFailed):
    """A claim of the wrong type (an email that is not a string, an iat that is not a number)."""
    code, title = "jwt_invalid_claim", "Invalid login token claim"


class JwtMissingIat(LoginFailed):
    """No iat (issued-at) claim."""
    code, title = "jwt_missing_iat", "Login token has no iat"


class JwtStaleIat(LoginFailed):
    """iat 15 minutes old or more on the mock clock (or exp passed)."""
    code, title = "jwt_stale_iat", "Login token too old"


class JwtFutureIat(LoginFailed):
    """iat later than the mock clock (beyond the allowed skew)."""
    code, title = "jwt_future_iat", "Login token issued in the future"


class AdminTokenRequired(ApiError):
    """A control API call without the admin token the server was started with."""
    status, code, title = 401, "admin_token_required", "Admin token required"
    headers = {"WWW-Authenticate": 'Bearer realm="kustomer-mock admin"'}


class AdminTokenInvalid(ApiError):
    """A control API call with a wrong admin token."""
    status, code, title = 403, "admin_token_invalid", "Admin token invalid"


class HeadersTooLarge(ApiError):
    """Request headers over the configured limit."""
    status, code, title = 431, "headers_too_large", "Request headers too large"
