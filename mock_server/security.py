"""Who may call what: the admin token on /__admin, CORS for browsers, header size, safe binding."""
from __future__ import annotations

import re

import hmac
import ipaddress

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from .domain.errors import AdminTokenInvalid, AdminTokenRequired, Forbidden, HeadersTooLarge

ADMIN_PREFIX = "/__admin"
OPEN_ADMIN = {("GET", "/__admin/health"), ("HEAD", "/__admin/health")}
DASHBOARD_FILES = "/__admin/ui"   # the dashboard's page and files hold no data: it asks for the token, then sends it
ADMIN_COOKIE = "kustomer_mock_admin_token"   # lets the dashboard's page and streams carry the token
BROWSER_PREFIXES = ("/c/", "/chat-web/")     # opened to every origin unless CORS_ORIGINS says otherwise
ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
# what the SDKs send (reference 12: legacy headers included) and what an EventSource resends
ALLOW_HEADERS = ("Authorization, Content-Type, x-kustomer-tracking-token, Last-Event-ID, x-kustomer-api-key, "
                 "X-Kustomer, x-kustomer-client, x-kustomer-version, Accept-Language, lang, X-Requested-With")
EXPOSE_HEADERS = "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
PREFLIGHT_MAX_AGE = "600"


class CorsOriginNotAllowed(Forbidden):
    """A preflight from an origin this surface is not opened to."""
    code, title = "cors_origin_not_allowed", "Origin not allowed"


def before() -> Response | None:
    """The pipeline's `security` step: header size, CORS preflights, OPTIONS, the admin token on /__admin."""
    _check_header_size()
    if _is_preflight():
        return _preflight()
    if request.method == "OPTIONS" and request.url_rule is not None:
        # answered here, before the journal and the faults: asking which methods exist is no SDK call
        return _allowed_methods()
    admin = request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/")
    if admin and not is_open_admin(request.method, request.path):
        _check_admin_origin()
        _check_admin_token()
    return None


def _allowed_methods() -> Response:
    """204 with the path's methods in Allow and no body (Flask's default answers an empty text/html 200)."""
    response = Response(status=204)
    response.headers["Allow"] = ", ".join(sorted(path_methods(request.path)))
    response.headers.pop("Content-Type", None)
    return response


def path_methods(path: str) -> set[str]:
    """The methods of the most specific route pattern `path` matches: the ones the OpenAPI document lists.

    Flask's own Allow also lists those of a route whose variable happens to match (PATCH of
    /c/v1/chat/sessions/<id> for /c/v1/chat/sessions/open).
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    rules = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rules.append(adapter.match(path, method=method, return_rule=True)[0])
        except HTTPException:
            continue
    if not rules:
        return {"OPTIONS"}
    # fewest variables, then the longest fixed text: /v1/customers/email=<email> before /v1/customers/<id>
    best = max((-len(rule.arguments), len(_VARIABLE.sub("", rule.rule))) for rule in rules)
    return {m for rule in rules if (-len(rule.arguments), len(_VARIABLE.sub("", rule.rule))) == best
            for m in rule.methods} | {"OPTIONS"}


_VARIABLE = re.compile(r"<[^>]+>")


# -- limits ------------------------------------------------------------------------------------

def _check_header_size() -> None:
    limit = int(current_app.config.get("MAX_HEADER_BYTES") or 0)
    if not limit:
        return
    # name, ": ", value, CRLF: what the client put on the wire for each header; read from the environ,
    # where HTTP_X_NAME is X-Name (5 characters longer), without building a Headers view on every call
    size = sum(len(key) - 1 + len(value) if key.startswith("HTTP_") else len(key) + 4 + len(value)
               for key, value in request.environ.items()
               if key.startswith("HTTP_") and key not in _NOT_HEADERS
               or key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value)
    if size > limit:
        raise HeadersTooLarge(f"request headers hold {size} bytes; the limit is {limit}")


_NOT_HEADERS = ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH")   # EnvironHeaders skips them too


# -- the admin token -----------------------------------------------------------------------------

def is_open_admin(method: str, path: str) -> bool:
    """Whether an /__admin request needs no token: the health check, and reading the dashboard's files."""
    if (method, path) in OPEN_ADMIN:
        return True
    return method in ("GET", "HEAD") and (path == DASHBOARD_FILES or path.startswith(DASHBOARD_FILES + "/"))


def admin_token() -> str | None:
    """The configured admin token (None: the control API is open)."""
    token = current_app.config.get("ADMIN_TOKEN")
    return str(token) if token not in (None, "") else None


def _check_admin_origin() -> None:
    # a page on another origin may not even send a "simple" POST (no preflight) to reset or fault the mock
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != request.host_url.rstrip("/") and not origin_allowed(origin, request.path):
        raise CorsOriginNotAllowed(f"the control API is not opened to the origin {origin}; see --cors-origins")


def _check_admin_token() -> None:
    expected = admin_token()
    if expected is None:
        return
    header = request.headers.get("Authorization", "")
    sent = header[7:].strip() if header[:7].lower() == "bearer " else request.cookies.get(ADMIN_COOKIE)
    if not sent:
        raise AdminTokenRequired("This mock guards its control API: send 'Authorization: Bearer <admin token>'.")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise AdminTokenInvalid("The admin token does not match the one the mock was started with.")


# -- CORS ------------------------------------------------------------------------------------------

def cors_origins() -> list[str] | None:
    """The configured origins (None: any origin on the browser surfaces, none elsewhere)."""
    configured = current_app.config.get("CORS_ORIGINS")
    if configured in (None, "", []):
        return None
    items = configured.split(",") if isinstance(configured, str) else list(configured)
    return [str(o).strip().rstrip("/") for o in items if str(o).strip()]


def origin_allowed(origin: str, path: str) -> bool:
    """Whether a page at `origin` may call `path`."""
    origins = cors_origins()
    if origins is None:
        return path.startswith(BROWSER_PREFIXES)
    return "*" in origins or origin.rstrip("/") in origins


def _is_preflight() -> bool:
    return (request.method == "OPTIONS" and "Origin" in request.headers
            and "Access-Control-Request-Method" in request.headers)


def _preflight() -> Response:
    origin = request.headers["Origin"]
    if not origin_allowed(origin, request.path):
        raise CorsOriginNotAllowed(f"{request.path} is not opened to the origin {origin}; see --cors-origins")
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    if request.headers.get("Access-Control-Request-Private-Network") == "true":
        # Chrome asks before a public page may call a server on the developer's machine
        response.headers["Access-Control-Allow-Private-Network"] = "true"
    return response


def add_cors_headers(response: Response) -> Response:
    """The pipeline's last after-step: CORS headers for the origins this surface is opened to."""
    origin = request.headers.get("Origin")
    if not origin:
        return response
    response.vary.add("Origin")
    if not origin_allowed(origin, request.path):
        response.headers.pop("Access-Control-Allow-Origin", None)   # a view's own "*" yields to the policy
    else:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method != "OPTIONS":
            response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


# -- binding ---------------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    """Whether `host` is reachable only from this machine."""
    name = (host or "").strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, admin_token: str | None, insecure_admin: bool = False) -> str | None:
    """Why serving on `host` must be refused (None: it may go ahead)."""
    if admin_token or insecure_admin or is_loopback(host):
        return None
    return (f"refusing to serve on {host or 'every address'} without an admin token: anyone who can reach it "
            "could reset, fault and read every org. Pass --admin-token TOKEN (or KUSTOMER_MOCK_ADMIN_TOKEN), "
            "or --insecure-admin to serve the control API unguarded anyway.")
