"""Login with a JWT on the customer chat API: login, logout, isLoggedIn (endpoint = SDK method)."""
from __future__ import annotations

from flask import Blueprint, request

from ..domain import identity
from ..schemas import identity as s
from ..schemas.common import shared
from .context import current_org, json_body, tracking_token
from .docs import operation

bp = Blueprint("identity", __name__, url_prefix="/c/v1/identity")


@bp.post("", endpoint="login")
@operation(body=s.LoginOptions, response=s.LoginResponse, auth="chat", errors=(404,))
def login():
    """Kustomer.login({jwtToken}): identify the session's customer; anonymous history moves along."""
    options = shared(s.LoginOptions).load(json_body())
    answer = identity.login(current_org(), tracking_token(), options["jwt_token"],
                            options.get("brand_id"), options.get("assistant_id"))
    return shared(s.LoginResponse).dump({"identified": answer["identified"], "customer_id": answer["customerId"],
                                   "email": answer["email"], "external_id": answer["externalId"]})


@bp.delete("", endpoint="logout")
@operation(response=s.LogoutResponse, auth="chat-optional")
def logout():
    """Kustomer.logout(): end the session; its tracking token stops working."""
    answer = identity.logout(current_org(), tracking_token())
    return shared(s.LogoutResponse).dump({"logged_out": answer["loggedOut"], "customer_id": answer["customerId"]})


@bp.get("", endpoint="isLoggedIn")
@operation(query=s.IsLoggedInQuery, response=s.LoggedIn, auth="chat-optional")
def is_logged_in():
    """Kustomer.isLoggedIn({email}|{externalId}): {loggedIn: boolean} (false without a session)."""
    org = current_org()   # the key first: a call without one is 401 whatever its query
    query = shared(s.IsLoggedInQuery).load(request.args)
    answer = identity.is_logged_in(org, tracking_token(), query.get("email"), query.get("external_id"))
    return shared(s.LoggedIn).dump({"logged_in": answer})
