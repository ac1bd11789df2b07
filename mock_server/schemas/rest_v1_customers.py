"""Request schemas of REST v1 customers: every field of Kustomer's create and update body."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from .common import CustomAttributes, Id, Query, StrictBoolean, StrictFloat, StrictInteger
from .jsonapi import IsoTime

NAME_CHARS = 256
CONTACTS = 10        # items per contact list (emails, phones, ...), as Kustomer's schema allows
TAGS = 20
TAG_PATTERN = r"^[0-9a-zA-ZÀ-ÿ_/<>\-.][0-9a-zA-ZÀ-ÿ _/<>\-.]{0,63}$"
# Kustomer's "phone-number" format is not published: digits with the usual separators, 3 to 32 characters
PHONE_PATTERN = r"^\+?[0-9 ().\-/]{3,32}$"


def Text(maximum: int = NAME_CHARS, minimum: int = 0, **kwargs) -> fields.String:  # noqa: N802 (a field factory)
    """A string of at most `maximum` characters (nullable unless told otherwise)."""
    kwargs.setdefault("allow_none", True)
    return fields.String(validate=validate.Length(min=minimum, max=maximum), **kwargs)


def OneOf(*choices: str, **kwargs) -> fields.String:  # noqa: N802
    """A string that is one of `choices`."""
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def Contacts(entry: type[Schema], maximum: int = CONTACTS, unique: bool = False, **kwargs) -> fields.List:  # noqa: N802
    """A contact list: at most `maximum` entries (and no entry twice when `unique`)."""
    checks = [validate.Length(max=maximum, error=f"at most {maximum} items"), *([_unique] if unique else [])]
    return fields.List(fields.Nested(entry), validate=checks, **kwargs)


def _unique(items: list) -> None:
    if len({repr(sorted(i.items())) if isinstance(i, dict) else i for i in items}) != len(items):
        raise ValidationError("items must be unique")


class EmailEntry(Schema):
    """{email, type: home|work|other, verified}."""

    email = fields.Email(required=True, validate=validate.Length(max=NAME_CHARS))
    type = OneOf("home", "work", "other", load_default="home")
    verified = StrictBoolean(load_default=False)


class PhoneEntry(Schema):
    """{phone, type: mobile|home|work|fax|other, verified}."""

    phone = fields.String(required=True, validate=[validate.Length(max=32), validate.Regexp(
        PHONE_PATTERN, error="a phone number: digits, optionally +, spaces, dashes, dots or parentheses")])
    type = OneOf("mobile", "home", "work", "fax", "other", load_default="home")
    verified = StrictBoolean(load_default=False)


class WhatsappEntry(PhoneEntry):
    """{phone, type: mobile, verified}; stored as whatsapp:+1..."""

    type = OneOf("mobile", load_default="mobile")


class ExternalIdEntry(Schema):
    """{externalId, verified}."""

    externalId = fields.String(required=True, validate=validate.Length(min=1, max=255))
    verified = StrictBoolean(load_default=False)


class SocialEntry(Schema):
    """{type, username, userid, url, verified}."""

    type = OneOf("twitter", "facebook", "instagram", "linkedin", "pinterest", required=True)
    username = fields.String(required=True, validate=validate.Length(min=1, max=NAME_CHARS))
    userid = Text()
    url = fields.Url(allow_none=True, require_tld=False, validate=validate.Length(max=2048))
    verified = StrictBoolean(load_default=False)


class UrlEntry(Schema):
    """{url, type: website|blog|other}."""

    url = fields.Url(required=True, require_tld=False, validate=validate.Length(max=2048))
    type = OneOf("website", "blog", "other", load_default="website")


class FacebookEntry(Schema):
    """{pageId, userId, name}."""

    pageId = fields.String(required=True, validate=validate.Length(max=255))
    userId = fields.String(required=True, validate=validate.Length(max=255))
    name = Text(255)


class InstagramEntry(Schema):
    """{pageId, threadId, username, instagramId}."""

    pageId = fields.String(required=True, validate=validate.Length(max=255))
    threadId = fields.String(required=True, validate=validate.Length(max=255))
    username = fields.String(required=True, validate=validate.Length(max=255))
    instagramId = Text(255)


class LocationEntry(Schema):
    """One location: every field optional and nullable."""

    type = OneOf("home", "work", "other", allow_none=True, load_default="home")
    name = Text()
    address, address2, address3 = Text(), Text(), Text()
    latitude = StrictFloat(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = StrictFloat(allow_none=True, validate=validate.Range(min=-180, max=180))
    countryCode = fields.String(allow_none=True, validate=validate.Length(min=2, max=2))
    countryName = Text(64)
    regionCode = Text(2)
    regionName = Text(128)
    cityName = Text(128)
    zipCode = Text(30)
    areaCode = Text(30)


class Sentiment(Schema):
    """{polarity: -1|0|1, confidence: -1..1}."""

    polarity = StrictInteger(required=True, validate=validate.OneOf((-1, 0, 1)))
    confidence = StrictFloat(required=True, validate=validate.Range(min=-1, max=1))


def Tags(**kwargs) -> fields.List:  # noqa: N802
    """Up to 20 unique tag names or ids (stored as ids; unknown names create the tag)."""
    return fields.List(fields.String(validate=[validate.Length(max=64), validate.Regexp(
        TAG_PATTERN, error="a tag name (1-64 letters, digits, spaces, _ / < > - .) or a tag id")]),
                       validate=[validate.Length(max=TAGS, error=f"at most {TAGS} tags"), _unique], **kwargs)


class CustomerBody(Schema):
    """POST /v1/customers, PUT and PATCH /v1/customers/{id}: Kustomer's one customer body."""

    name = Text()
    company = Text()   # Kustomer's schema: a plain nullable string (a company id in practice)
    external_id = Text(minimum=1, data_key="externalId")
    username = Text()
    signed_up_at = IsoTime(data_key="signedUpAt", allow_none=True)
    last_activity_at = IsoTime(data_key="lastActivityAt", allow_none=True)
    last_customer_activity_at = IsoTime(data_key="lastCustomerActivityAt", allow_none=True)
    last_seen_at = IsoTime(data_key="lastSeenAt", allow_none=True)
    avatar_url = fields.Url(data_key="avatarUrl", allow_none=True, require_tld=False,
                            validate=validate.Length(max=2048))
    external_ids = Contacts(ExternalIdEntry, data_key="externalIds", unique=True)
    shared_external_ids = Contacts(ExternalIdEntry, data_key="sharedExternalIds", unique=True)
    emails = Contacts(EmailEntry)
    shared_emails = Contacts(EmailEntry, data_key="sharedEmails")
    phones = Contacts(PhoneEntry)
    shared_phones = Contacts(PhoneEntry, data_key="sharedPhones")
    whatsapps = Contacts(WhatsappEntry)
    facebook_ids = Contacts(FacebookEntry, data_key="facebookIds")
    instagram_ids = Contacts(InstagramEntry, data_key="instagramIds")
    socials = Contacts(SocialEntry)
    shared_socials = Contacts(SocialEntry, data_key="sharedSocials")
    urls = Contacts(UrlEntry)
    locations = Contacts(LocationEntry)
    locale = Text(16)
    time_zone = Text(64, data_key="timeZone")
    tags = Tags()
    sentiment = fields.Nested(Sentiment, allow_none=True)
    custom = CustomAttributes()   # at most 100, as Kustomer's maxProperties
    birthday_at = IsoTime(data_key="birthdayAt", allow_none=True)
    gender = OneOf("m", "f", allow_none=True)
    created_at = IsoTime(data_key="createdAt")
    imported_at = IsoTime(data_key="importedAt")
    rev = StrictInteger(validate=validate.Range(min=0))
    default_lang = Text(100, data_key="defaultLang")


class UpdateQuery(Query):
    """?replace=true|false on PUT: replace the whole customer, or update the fields sent (default)."""

    replace = fields.Boolean(load_default=False, truthy={"true"}, falsy={"false"})


class MergeBody(Schema):
    """POST /v1/customers/merges: {source, target}."""

    source = Id(required=True)
    target = Id(required=True)
