"""Conversational assistants: which one applies, what it says, and where each answer leads."""
from __future__ import annotations

from typing import TYPE_CHECKING


from . import assistant_flow as flow
from .errors import InvalidSelection, UnknownAssistant
from .klasses import merge_attributes
from .lifecycle import end
from .models import Conversation, Message

if TYPE_CHECKING:   # typing only: org.py imports several domain modules
    from .org import Org

PICK_AN_OPTION = "Please choose one of the options to continue."
DEFAULT_LANG = "en_us"


def find(org: Org, assistant_id: str | None, pointer: str = "/assistantId") -> dict | None:
    """The assistant with this id, None for no id, UnknownAssistant (at `pointer`) for a wrong one."""
    if not assistant_id:
        return None
    assistant = next((a for a in org.assistants if a["id"] == assistant_id), None)
    if assistant is None:
        raise UnknownAssistant(f"no assistant {assistant_id} in this org", pointer=pointer)
    return assistant


def default_id(org: Org, brand_id: str | None) -> str | None:
    """The default assistant of a brand, else of the org (settings.activeAssistant), else None."""
    brand = next((b for b in org.brands if b["id"] == brand_id), None) if brand_id else None
    return (brand or {}).get("activeAssistant") or org.settings.get("activeAssistant")


def choose(org: Org, assistant_id: str | None, brand_id: str | None, defaults: bool = True) -> dict | None:
    """The assistant a new conversation gets: the one named, else (with `defaults`) the brand's or org's."""
    if assistant_id:
        return find(org, assistant_id)
    return find(org, default_id(org, brand_id)) if defaults else None


def begin(org: Org, conversation: Conversation, assistant: dict) -> None:
    """Put a new conversation in assistant mode at its first question (greet says it)."""
    with org.change("conversation", conversation):
        conversation.assistant_id = assistant["id"]
        conversation.in_assistant_mode = True
        conversation.assistant_state = {"id": assistant["id"], "questionId": assistant["questions"][0]["id"],
                                        "status": "asking", "answers": {}}


def greet(org: Org, conversation: Conversation) -> None:
    """Say the greeting and ask the first question, as assistant messages."""
    assistant, question = _current(org, conversation)
    if assistant.get("greeting"):
        _say(org, conversation, assistant, assistant["greeting"], {"templateType": "text",
                                                                  "body": assistant["greeting"]})
    _ask(org, conversation, assistant, question)


def check_reply(org: Org, conversation: Conversation, payload) -> None:
    """Before a customer message is stored: refuse a payload that is not an option of the open question."""
    if payload is None or not conversation.in_assistant_mode:
        return
    klass = org.klasses["conversation"]
    _, question = _current(org, conversation)
    if question is None or not flow.is_selection(question, klass):
        return
    fault = flow.selection_fault(question, klass, payload)
    if fault:
        raise InvalidSelection(fault, pointer="/payload",
                               meta={"questionId": question["id"], "validValues": flow.valid_values(question, klass)})


def on_customer_message(org: Org, conversation: Conversation, message: Message, payload) -> None:
    """Let the assistant answer a customer message while the conversation is in assistant mode."""
    assistant, question = _current(org, conversation)
    if question is None:
        return
    klass = org.klasses["conversation"]
    attribute = flow.attribute_of(question, klass)
    if flow.is_selection(question, klass):
        # Free text never answers a Button or tree question (Kustomer: the customer must select an option).
        if payload is None or flow.selection_fault(question, klass, payload):
            _say(org, conversation, assistant, PICK_AN_OPTION, flow.template(question, klass, PICK_AN_OPTION))
            return
        choice = flow.selected_value(payload)
        value = flow.read_answer(attribute, choice)[0]
    else:
        value, hint = flow.read_answer(attribute, message.body)
        if hint:
            _say(org, conversation, assistant, hint, {"templateType": "text", "body": hint})
            return
        choice = value
    _record_answer(org, conversation, question, attribute, value)
    _go_to(org, conversation, assistant, flow.next_step(question, klass, choice))


def _record_answer(org: Org, conversation: Conversation, question: dict, attribute, value) -> None:
    with org.change("conversation", conversation, deep=True):
        conversation.assistant_state["answers"][question["id"]] = value
        if attribute is not None:
            conversation.custom = merge_attributes(conversation.custom, {attribute.name: value})
            conversation.updated_at = org.now()


def _go_to(org: Org, conversation: Conversation, assistant: dict, step: str | None) -> None:
    """Ask the next question, or finish with the ending the flow leads to."""
    questions = assistant["questions"]
    current = conversation.assistant_state["questionId"]
    if step is None:  # no explicit next: the following question, after the last one the first ending
        index = next(i for i, q in enumerate(questions) if q["id"] == current)
        step = questions[index + 1]["id"] if index + 1 < len(questions) else assistant["endings"][0]["id"]
    question = next((q for q in questions if q["id"] == step), None)
    if question is not None:
        with org.change("conversation", conversation, deep=True):
            conversation.assistant_state["questionId"] = question["id"]
        _ask(org, conversation, assistant, question)
        return
    _finish(org, conversation, assistant, next(e for e in assistant["endings"] if e["id"] == step))


def _finish(org: Org, conversation: Conversation, assistant: dict, ending: dict) -> None:
    """Leave assistant mode: hand off to an agent queue (the chat stays open) or end the chat."""
    if ending.get("message"):
        _say(org, conversation, assistant, ending["message"], {"templateType": "text", "body": ending["message"]})
    with org.change("conversation", conversation, deep=True):
        state = conversation.assistant_state
        state.update({"questionId": None, "endingId": ending["id"],
                      "status": "handoff" if ending["action"] == "handoff" else "ended"})
        if ending["action"] == "handoff":
            state["queueId"] = ending.get("queueId")
        conversation.in_assistant_mode = False
        conversation.updated_at = org.now()
    org.events.emit("onAssistantEnded", {"conversationId": conversation.id, "isInAssistantMode": False},
                    conversation.customer_id)
    if ending["action"] == "end":
        end(org, conversation)


def _current(org: Org, conversation: Conversation) -> tuple[dict, dict | None]:
    """The conversation's assistant and the question it is waiting on (None once it has finished)."""
    assistant = find(org, conversation.assistant_id)
    question_id = conversation.assistant_state.get("questionId")
    return assistant, next((q for q in assistant["questions"] if q["id"] == question_id), None)


def _ask(org: Org, conversation: Conversation, assistant: dict, question: dict) -> Message:
    klass = org.klasses["conversation"]
    return _say(org, conversation, assistant, question["prompt"], flow.template(question, klass))


def _say(org: Org, conversation: Conversation, assistant: dict, body: str, template: dict) -> Message:
    """Record one assistant message (read from the start) and push it to the customer's streams."""
    message = org.record_message(conversation, body=body, direction="out", sent_by=bot(assistant),
                                 meta={"template": template}, read=True)
    org.events.emit("onMessageReceived", message_event(message), conversation.customer_id)
    return message


def bot(assistant: dict) -> dict:
    """sentBy of an assistant's messages."""
    return {"type": "bot", "id": assistant["id"], "displayName": assistant["name"],
            "avatarUrl": assistant.get("avatarUrl")}


def message_event(message: Message) -> dict:
    """A message as onMessageReceived carries it (reference 5.1)."""
    return {"messageId": message.id, "body": message.body, "createdAt": message.created_at,
            "direction": message.direction, "conversationId": message.conversation_id,
            "attachments": list(message.attachments), "meta": dict(message.meta), "sentBy": dict(message.sent_by),
            "read": message.read}


def state_view(conversation: Conversation) -> dict | None:
    """{id, questionId, status, answers, ...} of a conversation's assistant, for tools and tests."""
    state = conversation.assistant_state
    if not state:
        return None
    view = {**state, "answers": dict(state.get("answers") or {})}
    if conversation.ended and view["status"] == "asking":
        view["status"] = "ended"  # the customer ended the chat before the assistant finished
    return view


def init_payload(org: Org, assistant: dict, lang: str | None, tracking_id: str) -> dict:
    """KustomerCore.initAssistant: the opening dialog, node and messages, without a conversation."""
    klass, now, lang = org.klasses["conversation"], org.now(), lang or DEFAULT_LANG
    first = assistant["questions"][0]
    templates = ([{"templateType": "text", "body": assistant["greeting"]}] if assistant.get("greeting") else [])
    templates.append(flow.template(first, klass))
    return {"assistant": assistant["id"], "dialog": assistant.get("dialogId") or assistant["id"],
            "node": first["id"],
            "initialMessages": [{"meta": {"template": t}, "direction": "out", "directionType": "initial",
                                 "importedAt": now, "trackingId": tracking_id, "lang": lang} for t in templates],
            "attributes": {"avatarUrl": assistant.get("avatarUrl"),
                           "publicName": assistant.get("publicName") or assistant["name"]}}
