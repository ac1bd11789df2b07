"""Request schemas of REST v1 users and teams."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import BoundedList, Id
from .jsonapi import IsoTime
from .rest_v1_customers import PHONE_PATTERN


class UserPatch(Schema):
    """PUT /v1/users/{id}: the fields sent change."""

    name = fields.String(validate=validate.Length(min=1, max=256))
    email = fields.Email(validate=validate.Length(max=256))
    displayName = fields.String(validate=validate.Length(max=256))
    avatarUrl = fields.Url(require_tld=False, allow_none=True, validate=validate.Length(max=2048))
    mobile = fields.String(allow_none=True, validate=[validate.Length(max=32),
                                                      validate.Regexp(PHONE_PATTERN, error="a phone number")])
    emailSignature = fields.String(allow_none=True, validate=validate.Length(max=10_240))
    userType = fields.String(validate=validate.OneOf(("user", "machine", "limited", "hourly")))
    roleGroups = BoundedList(Id(), maximum=50)
    roles = BoundedList(fields.String(validate=validate.Length(min=1, max=128)), maximum=200)


class UserBody(UserPatch):
    """POST /v1/users: invite a user; name and email are required."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=256))
    email = fields.Email(required=True, validate=validate.Length(max=256))


class TeamPatch(Schema):
    """PUT and PATCH /v1/teams/{id}: the fields sent change."""

    name = fields.String(validate=validate.Length(min=1, max=256))
    displayName = fields.String(validate=validate.Length(max=256))
    icon = fields.String(validate=validate.Length(max=64), allow_none=True)
    members = BoundedList(Id(), maximum=500)
    externalId = fields.String(validate=validate.Length(max=256))
    createdAt = IsoTime()
    importedAt = IsoTime()


class TeamBody(TeamPatch):
    """POST /v1/teams: name is required."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=256))


class Members(Schema):
    """POST and DELETE /v1/teams/{id}/members: {members: [user ids]}."""

    members = BoundedList(Id(), maximum=500, required=True)


