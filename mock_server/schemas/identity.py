"""Schemas of login, logout and isLoggedIn on the customer chat API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema

from .bounds import TOKEN_CHARS, Text
from .common import Id, Query


class LoginOptions(Schema):
    """Kustomer.login / KustomerCore.login options."""

    jwt_token = Text(TOKEN_CHARS, data_key="jwtToken", required=True)
    brand_id = Id(data_key="brandId", allow_none=True)
    assistant_id = Id(data_key="assistantId", allow_none=True)


class LoginResponse(Schema):
    """{identified, customerId, email, externalId}, as Kustomer's identity docs give it."""

    identified = fields.Boolean()
    customer_id = fields.String(data_key="customerId")
    email = fields.String(allow_none=True)
    external_id = fields.String(data_key="externalId", allow_none=True)


class LogoutResponse(Schema):
    """{loggedOut, customerId}: whether a session was ended, and whose."""

    logged_out = fields.Boolean(data_key="loggedOut")
    customer_id = fields.String(data_key="customerId", allow_none=True)


class IsLoggedInQuery(Query):
    """isLoggedIn({email}|{externalId}): one of the two, as used at login."""

    email = fields.String()
    external_id = fields.String(data_key="externalId")

    @validates_schema
    def one_of_them(self, data, **kwargs):
        """Refuse a question that names nobody."""
        if not data.get("email") and not data.get("external_id"):
            raise ValidationError("Missing data for required field.", "email")


class LoggedIn(Schema):
    """{loggedIn: boolean}: the SDK hands the boolean to the callback."""

    logged_in = fields.Boolean(data_key="loggedIn")
