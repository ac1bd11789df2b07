"""Schemas of the assistant calls: initAssistant's options and answer, the assistant state of a conversation."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..domain.assistant import state_view
from .bounds import LANG_CHARS, Text


class InitAssistant(Schema):
    """KustomerCore.initAssistant({assistant}): the assistant is in the path; lang is optional."""

    lang = Text(LANG_CHARS, allow_none=True)


class InitialMessage(Schema):
    """One opening message of initAssistant (reference 3.10)."""

    meta = fields.Dict()
    direction = fields.String()
    direction_type = fields.String(data_key="directionType", attribute="directionType")
    imported_at = fields.String(data_key="importedAt", attribute="importedAt")
    tracking_id = fields.String(data_key="trackingId", attribute="trackingId")
    lang = fields.String()


class AssistantAttributes(Schema):
    """{avatarUrl, publicName} of an assistant."""

    avatar_url = fields.String(data_key="avatarUrl", attribute="avatarUrl", allow_none=True)
    public_name = fields.String(data_key="publicName", attribute="publicName")


class InitAssistantResponse(Schema):
    """{assistant, dialog, node, initialMessages, attributes}."""

    assistant = fields.String()
    dialog = fields.String()
    node = fields.String()
    initial_messages = fields.List(fields.Nested(InitialMessage), data_key="initialMessages",
                                   attribute="initialMessages")
    attributes = fields.Nested(AssistantAttributes)


class AssistantState(Schema):
    """Where a conversation's assistant stands: the open question, or how it finished."""

    id = fields.String()
    question_id = fields.String(data_key="questionId", attribute="questionId", allow_none=True)
    status = fields.String()
    ending_id = fields.String(data_key="endingId", attribute="endingId")
    queue_id = fields.String(data_key="queueId", attribute="queueId", allow_none=True)
    answers = fields.Dict()


def dump_state(conversation) -> dict | None:
    """The `assistant` of a conversation as the chat API shows it (None without an assistant)."""
    view = state_view(conversation)
    return AssistantState().dump(view) if view else None
