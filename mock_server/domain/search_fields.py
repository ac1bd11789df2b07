"""The searchable attributes of Kustomer's search, by name: what each reads from a record, and its kind.

Names and operator classes follow Kustomer's standard-attributes schema of POST /v1/customers/search.
Kinds: string (case-insensitive), exact (not analyzed), text (words), list, datetime, number, boolean.
"""
from __future__ import annotations

# attribute -> (object it reads, kind, getter(record, org))
FIELDS: dict[str, tuple] = {}


def _field(name: str, kind: str, getter) -> None:
    FIELDS[name] = (name.split("_", 1)[0], kind, getter)


def _emails(items: list) -> list:
    return [i["email"] for i in items]


def _phones(items: list) -> list:
    return [i["phone"] for i in items]


for _name, _kind, _get in (
        ("customer_name", "string", lambda c, o: c.name),
        ("customer_email", "string", lambda c, o: _emails(c.emails)),
        ("customer_shared_email", "string", lambda c, o: _emails(c.shared_emails)),
        ("customer_phone", "string", lambda c, o: _phones(c.phones)),
        ("customer_shared_phone", "string", lambda c, o: _phones(c.shared_phones)),
        ("customer_urls", "string", lambda c, o: [u["url"] for u in c.urls]),
        ("customer_locale", "string", lambda c, o: c.locale),
        ("customer_gender", "list", lambda c, o: c.gender),
        ("customer_tags", "list", lambda c, o: c.tags),
        ("customer_externalId", "exact", lambda c, o: c.external_id),
        ("customer_shared_externalId", "exact", lambda c, o: [e["externalId"] for e in c.shared_external_ids]),
        ("customer_default_lang", "exact", lambda c, o: c.default_lang),
        ("customer_social_username", "exact", lambda c, o: [s["username"] for s in c.socials]),
        ("customer_social_type", "list", lambda c, o: [s["type"] for s in c.socials]),
        ("customer_presence", "list", lambda c, o: "offline"),
        ("customer_created_at", "datetime", lambda c, o: c.created_at),
        ("customer_updated_at", "datetime", lambda c, o: c.updated_at),
        ("customer_modified_at", "datetime", lambda c, o: c.modified_at or c.updated_at),
        ("customer_imported_at", "datetime", lambda c, o: c.imported_at),
        ("customer_signed_up_at", "datetime", lambda c, o: c.signed_up_at),
        ("customer_last_seen_at", "datetime", lambda c, o: c.last_seen_at),
        ("customer_activity_at", "datetime", lambda c, o: c.last_activity_at),
        ("customer_conversations_count", "number", lambda c, o: len(o.conversations_of(c.id))),
        ("customer_imported", "boolean", lambda c, o: c.imported_at is not None),
        ("conversation_name", "string", lambda c, o: c.title),
        ("conversation_status", "list", lambda c, o: c.status),
        ("conversation_tags", "list", lambda c, o: c.tags),
        ("conversation_assigned_users", "list", lambda c, o: c.assigned_users),
        ("conversation_assigned_teams", "list", lambda c, o: c.assigned_teams),
        ("conversation_channels", "list", lambda c, o: c.channels),
        ("conversation_direction", "list", lambda c, o: c.direction),
        ("conversation_reply_channel", "list", lambda c, o: c.reply_channel),
        ("conversation_queue", "list", lambda c, o: (c.queue or {}).get("id")),
        ("conversation_external_queue", "list", lambda c, o: (c.queue or {}).get("external")),
        ("conversation_customer_id", "exact", lambda c, o: c.customer_id),
        ("conversation_sub_status", "exact", lambda c, o: c.sub_status),
        ("conversation_campaign_id", "exact", lambda c, o: c.campaign),
        ("conversation_default_lang", "exact", lambda c, o: c.default_lang),
        ("conversation_ended_reason", "string", lambda c, o: c.ended_reason),
        ("conversation_priority", "number", lambda c, o: c.priority),
        ("conversation_message_count", "number", lambda c, o: c.message_count),
        ("conversation_note_count", "number",
         lambda c, o: sum(1 for n in o.notes.values() if n.conversation_id == c.id)),
        ("conversation_ended", "boolean", lambda c, o: c.ended),
        ("conversation_satisfaction_status", "list", lambda c, o: (c.satisfaction_level or {}).get("status")),
        ("conversation_satisfaction_rating", "number", lambda c, o: (c.satisfaction_level or {}).get("rating")),
        ("conversation_satisfaction_score", "number", lambda c, o: (c.satisfaction_level or {}).get("score")),
        ("conversation_imported", "boolean", lambda c, o: c.imported_at is not None),
        ("conversation_created_at", "datetime", lambda c, o: c.created_at),
        ("conversation_updated_at", "datetime", lambda c, o: c.updated_at),
        ("conversation_modified_at", "datetime", lambda c, o: c.modified_at or c.updated_at),
        ("conversation_imported_at", "datetime", lambda c, o: c.imported_at),
        ("conversation_ended_at", "datetime", lambda c, o: c.ended_at),
        ("conversation_last_message_at", "datetime", lambda c, o: c.last_message_at),
        ("message_body", "text", lambda m, o: m.body),
        ("message_subject", "text", lambda m, o: m.subject),
        ("message_channel", "list", lambda m, o: m.channel),
        ("message_direction", "list", lambda m, o: m.direction),
        ("message_status", "list", lambda m, o: m.status or ("received" if m.direction == "in" else "sent")),
        ("message_customer_id", "exact", lambda m, o: m.customer_id),
        ("message_external_id", "exact", lambda m, o: m.external_id),
        ("message_lang", "exact", lambda m, o: m.lang),
        ("message_auto", "boolean", lambda m, o: m.auto),
        ("message_imported", "boolean", lambda m, o: m.imported_at is not None),
        ("message_attachment_count", "number", lambda m, o: len(m.attachments)),
        ("message_created_at", "datetime", lambda m, o: m.created_at),
        ("message_updated_at", "datetime", lambda m, o: m.modified_at or m.created_at),
        ("message_sent_at", "datetime", lambda m, o: m.sent_at or m.created_at),
        ("message_imported_at", "datetime", lambda m, o: m.imported_at),
        ("note_body", "text", lambda n, o: n.body),
        ("note_customer_id", "exact", lambda n, o: n.customer_id),
        ("note_conversation_id", "exact", lambda n, o: n.conversation_id),
        ("note_external_id", "exact", lambda n, o: n.external_id),
        ("note_lang", "exact", lambda n, o: n.lang),
        ("note_created_by", "list", lambda n, o: n.created_by),
        ("note_user_mentions", "list", lambda n, o: [m.get("user") for m in n.user_mentions if m.get("user")]),
        ("note_attachment_count", "number", lambda n, o: len(n.attachments)),
        ("note_imported", "boolean", lambda n, o: n.imported_at is not None),
        ("note_created_at", "datetime", lambda n, o: n.created_at),
        ("note_updated_at", "datetime", lambda n, o: n.updated_at),
        ("note_modified_at", "datetime", lambda n, o: n.updated_at),
        ("note_imported_at", "datetime", lambda n, o: n.imported_at),
        ("kobject_created_at", "datetime", lambda k, o: k.created_at),
        ("kobject_updated_at", "datetime", lambda k, o: k.updated_at),
        ("kobject_imported_at", "datetime", lambda k, o: k.imported_at),
        ("kobject_imported", "boolean", lambda k, o: k.imported_at is not None)):
    _field(_name, _kind, _get)


# Kustomer's other standard search attributes: the mock does not compute them (a 400 names the attribute)
NOT_COMPUTED = frozenset({
    "company_default_lang", "company_imported", "company_imported_at", "company_name", "company_tags",
    "conversation_first_done_created_by", "conversation_first_message_in_channel",
    "conversation_first_message_in_direction_type", "conversation_first_message_in_sent_at",
    "conversation_first_message_out_channel", "conversation_first_message_out_direction_type",
    "conversation_first_message_out_sent_at", "conversation_first_response_created_by",
    "conversation_first_response_sent_at", "conversation_first_response_time", "conversation_last_done_created_at",
    "conversation_last_done_created_by", "conversation_last_done_created_by_teams",
    "conversation_last_message_direction", "conversation_last_message_out_sent_at",
    "conversation_last_message_sent_at", "conversation_last_message_unresponded_to_sent_at",
    "conversation_last_response_created_by", "conversation_modified_by", "conversation_outbound_message_count",
    "conversation_satisfaction", "conversation_satisfaction_created_at", 
    "conversation_satisfaction_sent_by",
    "conversation_satisfaction_sent_by_teams", 
    "conversation_satisfaction_survey_id", "conversation_sentiment", "conversation_sla_breach_at",
    "conversation_sla_breach_metric", "conversation_sla_breached", "conversation_sla_id",
    "conversation_sla_satisfied_at", "conversation_sla_status", "conversation_sla_version_id",
    "conversation_time_assigned_teams", "conversation_time_assigned_users", "conversation_time_channels",
    "conversation_time_conversation_id", "conversation_time_created_at", "conversation_time_created_by_teams",
    "conversation_time_handle_at", "conversation_time_handle_time", "conversation_time_message_at",
    "conversation_time_message_time", "conversation_time_messages_sent", "conversation_time_note_at",
    "conversation_time_note_time", "conversation_time_notes_sent", "conversation_time_reopened",
    "conversation_time_resolved", "conversation_time_snoozed", "conversation_time_touched", "customer_active_users",
    "customer_address", "customer_created_by", "customer_last_message_at", "customer_last_message_out_sent_at",
    "customer_last_message_sent_at", "customer_last_message_unresponded_to_sent_at", "customer_modified_by",
    "customer_progressive_status", "customer_satisfaction_avg_rating", "customer_satisfaction_avg_score",
    "customer_sentiment", "customer_shared_social_type", "customer_shared_social_userid",
    "customer_shared_social_username", "customer_social_userid", "customer_status", "customer_watchers",
    "message_created_by", "message_created_by_teams", "message_direction_type", "message_error_at",
    "message_error_title", "message_modified_by", "message_recipients", "message_redacted", "message_redacted_at",
    "message_sender", "message_sentiment", "message_shortcuts", "message_size", "message_source", "note_deleted",
    "note_modified_by", "note_team_mentions", "tracking_events",
})

# the free-text attribute of each object: every string the mock keeps for it
ANY_TEXT = {
    "customer": lambda c, o: [c.name, c.external_id, *_emails(c.emails), *_phones(c.phones), c.username],
    "conversation": lambda c, o: [c.title, c.preview, c.external_id],
    "message": lambda m, o: [m.body, m.subject, m.external_id],
    "note": lambda n, o: [n.body, n.external_id],
    "kobject": lambda k, o: [k.title, k.description, k.external_id],
}

SUFFIX_KINDS = {"Str": "string", "Txt": "text", "Num": "number", "Bool": "boolean", "At": "datetime",
                "Url": "exact", "Tree": "exact", "Id": "exact"}

CUSTOMER_SORTS = {"customer_name", "customer_gender", "customer_created_at", "customer_updated_at",
                  "customer_modified_at", "customer_externalId", "customer_activity_at", "customer_last_seen_at",
                  "customer_signed_up_at"}
