"""Attachments of the customer chat API: upload a file (widget and Core), and the file served back on its URL."""
from __future__ import annotations

import io

from flask import Blueprint, request, send_file

from ..domain import attachments
from ..domain.errors import MissingField, UnknownField, UnsupportedMediaType
from ..schemas import chat_client as s
from ..schemas.common import shared
from .context import chat_session, current_org, json_body
from .docs import operation

bp = Blueprint("attachments", __name__, url_prefix="/c/v1/chat/attachments")
UPLOAD_SLACK = 64 * 1024   # room for the multipart boundaries and part headers around one file


def read_upload() -> tuple[str, str, bytes]:
    """The file of the upload: a multipart `file` part, or JSON {name, contentType, data (base64)}.

    A multipart body may carry up to 5 MB (a larger one is refused unread); a JSON one stays within the
    1 MB every JSON body has, so backends can send small files without building multipart bodies.
    """
    limit = attachments.MAX_FILE_BYTES + UPLOAD_SLACK
    if (request.content_length or 0) > limit:
        raise attachments.AttachmentTooLarge(
            f"the upload has {request.content_length} bytes: an attachment may have at most "
            f"{attachments.MAX_FILE_BYTES} bytes (5 MB)", pointer="/file")
    if request.mimetype != "multipart/form-data":
        if request.mimetype != "application/json":
            raise UnsupportedMediaType("send the file as multipart/form-data (a part named 'file') or as JSON "
                                       "{name, contentType, data}")
        described = shared(s.JsonUpload).load(json_body())
        return described["name"], described["content_type"], described["data"]
    request.max_content_length = limit   # this route reads more than the JSON routes' 1 MB
    upload = request.files.get("file")
    if upload is None:
        raise MissingField("the multipart body has no part named 'file'", pointer="/file")
    extra = sorted({*request.form, *request.files} - {"file"})
    if extra:   # as a JSON body's unknown field: one part, 'file', is all an upload takes
        raise UnknownField(f"{extra[0]}: the multipart body has one part, 'file'", pointer=f"/{extra[0]}")
    return upload.filename or "file", upload.mimetype, upload.read(attachments.MAX_FILE_BYTES + 1)


@bp.post("", endpoint="uploadAttachment")
@operation(form=s.UploadForm, body=s.JsonUpload, response=s.UploadedAttachment, status=201, auth="chat")
def upload_attachment():
    """A customer's file (sendMessage's attachments: [{file}]): answers the id a message then names."""
    session = chat_session()
    name, content_type, data = read_upload()
    described = attachments.upload(session.org, session.customer.id, name, content_type, data, request.host_url)
    return shared(s.UploadedAttachment).dump(described), 201


@bp.get("/<attachment_id>", endpoint="getAttachment")
@operation(auth="key", media="*/*", responses={304: None})
def get_attachment(attachment_id):
    """The file behind a message's attachment URL (the chat key in ?key=, so an <img> can show it)."""
    found = attachments.stored(current_org(), attachment_id)
    # send_file streams it (the journal then keeps no bytes) and names it for the browser
    response = send_file(io.BytesIO(found["data"]), mimetype=found["contentType"], download_name=found["name"],
                         max_age=3600, etag=found["_id"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
