"""Live events of the customer chat API: a server-sent-events stream per tracking token, and typing."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from .. import events as sse
from ..caller import current_caller
from ..domain.events import Event
from ..schemas import chat_client as s
from ..schemas.common import shared
from ..schemas.live import EventQuery, TypingActivity, TypingAnswer
from ..serving import SOCKET_KEY
from ..state import get_state
from .context import chat_session, json_body
from .docs import operation

bp = Blueprint("live", __name__, url_prefix="/c/v1")


@bp.record_once
def _init(setup) -> None:
    get_state(setup.app).streams = sse.StreamSlots(sse.slot_limit(setup.app.config))


def stream_slots(app=None) -> sse.StreamSlots:
    """The open-stream counter of the app."""
    return get_state(app).streams


@bp.get("/events", endpoint="eventStream")
@operation(query=EventQuery, auth="chat", media="text/event-stream")
def event_stream():
    """The customer's live events (text/event-stream); EventSource sends ?key=&token= and Last-Event-ID."""
    query = shared(EventQuery).load(request.args)
    session = chat_session()
    org, store = session.org, get_state().store
    log = org.events
    cursor = sse.start_cursor(log, request.headers.get("Last-Event-ID") or query.get("last_event_id"))
    slots = stream_slots()
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    cut_after = current_caller().stream_cut_after  # set by a `drop: cut` fault (control/faults.py)
    window = float(current_app.config.get("STREAM_SECONDS", 25))

    environ = request.environ
    sse.hand_off(environ)

    def body():
        sock = environ.get(SOCKET_KEY)   # read now: a handed-off stream writes on a socket of its own
        return sse.stream(log, session.customer.id, cursor, window=window, alive=sse.watching(org, store, sock),
                          hydrate=lambda event: _hydrate(org, event), cut_after=cut_after, sock=sock)
    return Response(sse.slotted(slots, body), mimetype="text/event-stream", headers=headers)


def _hydrate(org, event: Event) -> dict:
    """Message events carry the whole message (reference 5.1), whatever the emitter stored."""
    payload = event.payload
    if event.name in sse.MESSAGE_EVENTS and "body" not in payload and payload.get("messageId"):
        found = next((m for m in org.messages.get(payload.get("conversationId"), ())
                      if m.id == payload["messageId"]), None)
        if found is not None:
            return {**shared(s.Message).dump(found), **{k: v for k, v in payload.items() if k not in ("messageId",)}}
    return payload


@bp.post("/chat/sessions/<conversation_id>/typing", endpoint="sendTypingActivity")
@operation(body=TypingActivity, response=TypingAnswer, auth="chat")
def send_typing_activity(conversation_id):
    """KustomerCore.sendTypingActivity({conversationId, typing}): agents see the customer typing."""
    options = shared(TypingActivity).load(json_body())
    session = chat_session()
    conversation = session.org.conversation(conversation_id, session.customer.id)
    # on the customer's own stream (other tabs ignore it); the agents' side reads the org's log
    session.org.events.emit("onCustomerTypingActivity", {"conversationId": conversation.id,
                                                         "typing": options["typing"]}, session.customer.id)
    return shared(TypingAnswer).dump({"conversation_id": conversation.id, "typing": options["typing"]})
