"""Attachments over the chat APIs: uploads, Kustomer's limits and types with their codes, the files served back."""
from __future__ import annotations

import base64

import pytest

from mock_server.domain.attachments import MAX_FILE_BYTES
from mock_server.testing.appcalls import AGENT, Api, Chat

PDF = b"%PDF-1.4 receipt"


@pytest.mark.parametrize(("name", "content_type", "size", "status", "code"), [
    ("photo.png", "image/png", 1000, 201, None),
    ("clip.mp4", "video/mp4", 1000, 201, None),
    ("receipt.pdf", "application/pdf", 1000, 201, None),
    ("scan.jpg", "application/octet-stream", 1000, 201, None),      # typed from its name
    ("exactly-5mb.png", "image/png", MAX_FILE_BYTES, 201, None),
    ("notes.txt", "text/plain", 10, 415, "unsupported_attachment_type"),
    ("page.html", "text/html", 10, 415, "unsupported_attachment_type"),
    ("archive.zip", "application/zip", 10, 415, "unsupported_attachment_type"),
    ("big.png", "image/png", MAX_FILE_BYTES + 1, 413, "attachment_too_large"),
    ("huge.png", "image/png", 2 * MAX_FILE_BYTES, 413, "attachment_too_large"),   # refused before it is read
])
def test_uploads_follow_kustomers_limits_and_types(chat, name, content_type, size, status, code):
    rv = chat.upload(name, b"x" * size, content_type)
    assert rv.status_code == status, rv.json
    if code:
        assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": "/file"})
    else:
        assert rv.json["contentLength"] == size and rv.json["url"].endswith(f"/c/v1/chat/attachments/{rv.json['id']}"
                                                                           f"?key={chat.key}")


@pytest.mark.parametrize(("name", "content_type", "pointer"), [
    ("r\nX-Injected: 1.pdf", "application/pdf", "/name"),
    ("r.pdf", "application/pdf\r\nX-Injected: 1", "/contentType"),
    ("r\x00.pdf", "application/pdf", "/name"),
])
def test_a_json_upload_refuses_what_cannot_go_in_a_header(chat, name, content_type, pointer):
    """The name and type are served back as headers: a line break there was a 500 when the file was read."""
    body = {"name": name, "contentType": content_type, "data": base64.b64encode(PDF).decode()}
    rv = chat.client.post("/c/v1/chat/attachments", headers=chat.headers(), json=body)
    assert (rv.status_code, rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (
        400, "invalid_field", {"pointer": pointer})


def test_a_multipart_name_that_decodes_to_a_line_break_is_refused(chat):
    """filename*=UTF-8''a%0Ab.png decodes to a name with a line break: refused, not stored and served as a 500."""
    part = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''a%0Ab.pdf\r\n"
            b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--B--\r\n")
    rv = chat.client.post("/c/v1/chat/attachments", data=part,
                          headers={**chat.headers(), "Content-Type": "multipart/form-data; boundary=B"})
    assert (rv.status_code, rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (
        400, "invalid_field", {"pointer": "/file"})


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"json": {"name": "r.pdf", "contentType": "application/pdf", "data": base64.b64encode(PDF).decode()}}, 201, None),
    ({"json": {"name": "r.txt", "contentType": "text/plain", "data": "aGk="}}, 415, "unsupported_attachment_type"),
    ({"json": {"name": "r.pdf", "contentType": "application/pdf", "data": "not base64!"}}, 400, "invalid_field"),
    ({"json": {"file": "x"}}, 400, "unknown_field"),
    ({"data": {"other": "x"}, "content_type": "multipart/form-data"}, 400, "missing_field"),
    ({"data": "x", "content_type": "text/plain"}, 415, "unsupported_media_type"),
])
def test_an_upload_is_a_multipart_file_part_or_json(chat, kwargs, status, code):
    rv = chat.client.post("/c/v1/chat/attachments", headers=chat.headers(), **kwargs)
    assert rv.status_code == status, rv.json
    if code:
        assert code in [e["code"] for e in rv.json["errors"]]
    else:
        assert (rv.json["name"], rv.json["contentLength"]) == ("r.pdf", len(PDF))


def test_an_uploaded_file_is_sent_and_served_back(client, chat):
    uploaded = chat.upload("receipt.pdf", PDF, "application/pdf").json
    cid = chat.new_conversation()
    rv = chat.send_message(cid, attachments=[{"id": uploaded["id"]}])
    assert rv.status_code == 201 and rv.json["body"] == ""
    [attachment] = rv.json["attachments"]
    assert attachment == {"_id": uploaded["id"], "name": "receipt.pdf", "contentType": "application/pdf",
                          "contentLength": len(PDF), "url": uploaded["url"]}
    served = client.get(attachment["url"].replace("http://localhost", ""))
    assert (served.status_code, served.mimetype, served.data) == (200, "application/pdf", PDF)
    assert chat.messages(cid).json["messages"][-1]["attachments"] == [attachment]


def test_a_message_carries_at_most_9_mb(chat):
    ids = [chat.upload(f"p{i}.png", b"x" * (MAX_FILE_BYTES - 10), "image/png").json["id"] for i in range(2)]
    cid = chat.new_conversation()
    rv = chat.send_message(cid, attachments=[{"id": i} for i in ids])
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (413, "attachments_too_large")
    assert chat.send_message(cid, attachments=[{"id": ids[0]}]).status_code == 201


@pytest.mark.parametrize(("attachment", "status", "code", "pointer"), [
    ({"id": "0123456789abcdef01234567"}, 404, "not_found", "/attachments/0/id"),
    ({"name": "notes.txt", "contentType": "text/plain"}, 415, "unsupported_attachment_type", "/attachments/0"),
    ({"name": "big.png", "contentType": "image/png", "contentLength": MAX_FILE_BYTES + 1}, 413,
     "attachment_too_large", "/attachments/0"),
    ({"name": "a.png"}, 400, "missing_field", "/attachments/0/contentType"),
])
def test_attachments_a_message_names_are_checked(chat, attachment, status, code, pointer):
    cid = chat.new_conversation()
    rv = chat.send_message(cid, body="see", attachments=[attachment])
    assert rv.status_code == status, rv.json
    assert (rv.json["errors"][0]["code"], rv.json["errors"][0]["source"]) == (code, {"pointer": pointer})


def test_a_customer_cannot_send_another_customers_upload(client, chat):
    uploaded = chat.upload("photo.png", b"x", "image/png").json
    other = Chat(client, chat.key)
    other.start()
    cid = other.new_conversation()
    rv = other.send_message(cid, attachments=[{"id": uploaded["id"]}])
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


def test_agents_upload_through_v2_1_and_send_the_file(client, chat):
    api = Api(client, chat.key)
    uploaded = chat.upload("invoice.pdf", PDF, "application/pdf", path="/v2.1/chat/attachments")
    assert uploaded.status_code == 201
    cid = chat.new_conversation()
    rv = api.post("/v2.1/chat/outbound/messages", {"customerId": chat.customer_id, "session": cid, "from": AGENT,
                                                   "attachments": [{"id": uploaded.json["id"]}]})
    assert rv.status_code == 201, rv.json
    customer_file = chat.upload("photo.png", b"x", "image/png").json["id"]   # an agent cannot send the customer's
    rv = api.post("/v2.1/chat/outbound/messages", {"customerId": chat.customer_id, "session": cid, "from": AGENT,
                                                   "attachments": [{"id": customer_file}]})
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")


def test_a_chat_only_key_cannot_upload_as_an_agent(client):
    chat = Chat(client, "acme-chat-key")
    rv = chat.upload("a.png", b"x", "image/png", path="/v2.1/chat/attachments")
    assert rv.status_code == 403


def test_an_unknown_file_is_not_found(client, chat):
    rv = client.get(f"/c/v1/chat/attachments/0123456789abcdef01234567?key={chat.key}")
    assert (rv.status_code, rv.json["errors"][0]["code"]) == (404, "not_found")
