"""Attachments in Chromium: the widget uploads an allowed file and is refused an oversized one; agents' files arrive."""
from __future__ import annotations

import struct
import zlib

import requests

from .conftest import started
from .test_dashboard import conversation_item, dashboard
from .test_satisfaction import keep_widget_screenshot

FRAME = "#kustomer-ui-sdk-iframe"
START = "Kustomer.start({}, function () { window.started = true; });"
MB = 1024 * 1024


def png(width: int = 160, height: int = 100, rgb: tuple = (240, 140, 60)) -> bytes:
    """A small valid PNG of one colour, made here (no file in the repository)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _new_thread(page):
    frame = page.frame_locator(FRAME)
    frame.get_by_role("button", name="Open chat").click()
    frame.get_by_role("button", name="New conversation").click()
    return frame


def test_the_widget_uploads_an_image_and_is_refused_an_oversized_one(host_page, mock, key):
    page = started(host_page(after=START))
    frame = _new_thread(page)
    frame.get_by_test_id("file-input").set_input_files(
        files=[{"name": "damaged-box.png", "mimeType": "image/png", "buffer": png()}])
    image = frame.get_by_role("img", name="damaged-box.png")
    image.wait_for()
    page.wait_for_function("""() => {
        const img = document.querySelector('#kustomer-ui-sdk-iframe').contentDocument.querySelector('img');
        return img && img.complete && img.naturalWidth === 160; }""")   # served back on the message's URL
    frame.get_by_role("textbox", name="Message").fill("The box arrived like this.")
    frame.get_by_role("button", name="Send message").click()
    frame.get_by_text("The box arrived like this.").wait_for()
    keep_widget_screenshot(page, "attachments.png")

    frame.get_by_test_id("file-input").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"0" * (6 * MB)}])
    frame.get_by_role("alert").filter(has_text="attachment_too_large").wait_for()
    frame.get_by_test_id("file-input").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    frame.get_by_role("alert").filter(has_text="unsupported_attachment_type").wait_for()

    conversation = requests.get(f"{mock}/__admin/orgs/{key}/conversations", timeout=10).json()["conversations"][0]
    rest = requests.get(f"{mock}/v1/conversations/{conversation['conversationId']}/messages", timeout=10,
                        headers={"Authorization": f"Bearer {key}"}).json()["data"]
    attached = [m["attributes"]["attachments"] for m in rest if m["attributes"]["attachments"]]
    assert len(attached) == 1 and attached[0][0]["name"] == "damaged-box.png"
    assert requests.get(attached[0][0]["url"], timeout=10).content == png()


def test_an_agents_upload_reaches_the_widget(host_page, admin, mock, key):
    page = started(host_page(after=START))
    conversation = page.evaluate("""new Promise(done => Kustomer.createConversation({message: 'Do you have the invoice?'},
        r => done(r.conversationId)))""")
    server = {"Authorization": f"Bearer {key}"}
    upload = requests.post(f"{mock}/v2.1/chat/attachments", headers=server, timeout=10,
                           files={"file": ("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf")})
    assert upload.status_code == 201, upload.text
    reply = requests.post(f"{mock}/v2.1/chat/outbound/messages", headers=server, timeout=10, json={
        "customerId": admin.customer_of(conversation), "session": conversation, "from": admin.org()["users"][0]["id"],
        "body": "Here it is.", "attachments": [{"id": upload.json()["id"]}]})
    assert reply.status_code == 201, reply.text
    link = page.frame_locator(FRAME).get_by_role("link", name="invoice.pdf")
    link.wait_for()
    assert requests.get(link.get_attribute("href"), timeout=10).content == b"%PDF-1.4 invoice"


def test_an_agent_attaches_a_file_in_the_dashboard(context, host_page, mock, key):
    page = started(host_page(after=START))
    conversation = page.evaluate("""new Promise(done => Kustomer.createConversation({message: 'Photo of the jacket?'},
        r => done(r.conversationId)))""")
    board = dashboard(context, mock, key)
    conversation_item(board, conversation).click()
    board.get_by_test_id("reply-file").set_input_files(
        files=[{"name": "jacket.png", "mimeType": "image/png", "buffer": png(rgb=(40, 160, 90))}])
    board.get_by_test_id("reply-body").fill("Here it is in green.")
    board.get_by_test_id("reply-send").click()
    page.frame_locator(FRAME).get_by_role("img", name="jacket.png").wait_for()
    board.get_by_test_id("message-attachment").filter(has_text="jacket.png").wait_for()
