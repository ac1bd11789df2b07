"""Satisfaction surveys (CSAT): offered when a chat an agent took part in ends, answered by the customer."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import parse_iso
from .errors import ApiError, InvalidField, MissingField, NotFound
from .models import Conversation

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

MAX_ANSWER_CHARS = 1024      # REST v1 satisfactionLevel.firstAnswer
SATISFIED_FROM = 0.75        # the share of the scale from which a rating counts as satisfied (score 1)
OPEN, ANSWERED = ("offered",), ("rated", "commented")


class SatisfactionCanceled(ApiError):
    """A response to a survey that was canceled (its conversation was reopened before an answer)."""
    status, code, title = 409, "satisfaction_canceled", "Satisfaction survey canceled"


def offer(org: Org, conversation: Conversation) -> dict | None:
    """Offer the org's survey on a conversation that just ended, when Kustomer would; answers the level."""
    form = org.satisfaction_form
    if not form or not form.get("enabled", True) or not org.settings.get("allowEndConversation", True):
        return None
    if not any(m.sent_by.get("type") == "user" for m in org.messages.get(conversation.id, ())):
        return None  # no agent took part: a bot-only or unanswered chat gets no survey
    with org.change("conversation", conversation, deep=True):
        level = conversation.satisfaction_level
        if level and level["status"] in ANSWERED:
            return None
        now = org.now()
        if not level or level["status"] not in OPEN:
            level = {"formResponse": org.new_id(now), "form": form["id"], "createdAt": now, "channel": "chat"}
        level.update({"status": "offered", "sentAt": now, "updatedAt": now})
        conversation.satisfaction_level = level
    org.events.emit("onSatisfactionReceived", payload(org, conversation), conversation.customer_id)
    return level


def cancel(org: Org, conversation: Conversation) -> None:
    """A reopened conversation's unanswered survey is canceled (REST's reopen calls this)."""
    level = conversation.satisfaction_level
    if not level or level["status"] not in OPEN:
        return
    with org.change("conversation", conversation, deep=True):
        level.update({"status": "canceled", "updatedAt": org.now()})


def _settled(org: Org, conversation: Conversation) -> dict | None:
    """The level, canceled first if the conversation was reopened while the survey was open."""
    if not conversation.ended:
        cancel(org, conversation)
    return conversation.satisfaction_level


def payload(org: Org, conversation: Conversation) -> dict | None:
    """The SDK's satisfaction object (onSatisfactionReceived, getMessages), or None without a survey."""
    level = _settled(org, conversation)
    if not level:
        return None
    form = org.satisfaction_form or {}
    answer = level.get("firstAnswer")
    return {"conversationId": conversation.id, "satisfactionId": level["formResponse"],
            "timetoken": str(int(parse_iso(level["sentAt"]).timestamp() * 1000) * 10_000),
            "status": level["status"], "form": public_form(form),
            "response": {"rating": level.get("rating"), "followupAnswer": answer} if level["status"] in ANSWERED
            else None}


def public_form(form: dict) -> dict:
    """The form as the SDK documents it."""
    scale = form.get("scale") or {}
    return {"id": form.get("id"), "name": form.get("name"), "description": form.get("description"),
            "introduction": form.get("introduction"), "ratingPrompt": form.get("ratingPrompt"),
            "followupQuestion": form.get("followupQuestion"), "followupQuestionId": form.get("followupQuestionId"),
            "scale": {"options": scale.get("options", 5), "labelLow": scale.get("labelLow"),
                      "labelHigh": scale.get("labelHigh"), "type": scale.get("type", "number")}}


def _find(org: Org, customer_id: str | None, satisfaction_id: str) -> Conversation:
    """The conversation of a survey; None as the customer: any of the org's (the server route)."""
    for conversation in org.conversations.values():
        level = conversation.satisfaction_level
        if customer_id in (None, conversation.customer_id) and level and level.get("formResponse") == satisfaction_id:
            return conversation
    raise NotFound(f"no satisfaction survey {satisfaction_id} for this customer", pointer="/satisfactionId")


def _check_rating(org: Org, rating, level: dict) -> None:
    options = int(((org.satisfaction_form or {}).get("scale") or {}).get("options", 5))
    if rating is None and level.get("rating") is None:
        raise MissingField("the first response to a survey needs a rating", pointer="/rating")
    if rating is not None and (rating != int(rating) or not 1 <= rating <= options):
        raise InvalidField(f"rating is a whole number from 1 to {options} (the form's scale)", pointer="/rating")


def _followup(org: Org, answers: list) -> str | None:
    """The follow-up answer: the one naming the form's follow-up question, else the first."""
    wanted = (org.satisfaction_form or {}).get("followupQuestionId")
    chosen = next((a for a in answers if a.get("id") == wanted), answers[0] if answers else None)
    text = (chosen or {}).get("answer")   # at most MAX_ANSWER_CHARS: the schema checked it
    return (text.strip() or None) if isinstance(text, str) else None


def submit(org: Org, customer_id: str | None, satisfaction_id: str, rating: float | None = None,
           answers: list | None = None, submitted_at: str | None = None) -> dict:
    """submitSatisfactionForm: a rating, then (or with it) the follow-up answer; answers the survey."""
    conversation = _find(org, customer_id, satisfaction_id)
    level = _settled(org, conversation)
    if level["status"] == "canceled":
        raise SatisfactionCanceled("the conversation was reopened before this survey was answered",
                                   pointer="/satisfactionId")
    _check_rating(org, rating, level)
    answer = _followup(org, answers or [])
    options = int(((org.satisfaction_form or {}).get("scale") or {}).get("options", 5))
    with org.change("conversation", conversation, deep=True):
        if rating is not None:
            level["rating"] = int(rating)
        share = (level["rating"] - 1) / max(options - 1, 1)
        level["score"] = 1 if share >= SATISFIED_FROM else 0
        if answer is not None:
            level["firstAnswer"] = answer
        level["status"] = "commented" if level.get("firstAnswer") else "rated"
        level["updatedAt"] = org.now()
        level["submittedAt"] = submitted_at or level["updatedAt"]
        conversation.satisfaction = round(share * 2 - 1, 2)   # REST's number, -1 (worst) .. 1 (best)
        conversation.updated_at = level["updatedAt"]
    answered = payload(org, conversation)
    org.events.emit("onSatisfactionReceived", answered, conversation.customer_id)
    return answered
