"""Files people send from a phone: a parcel's photo, a group buy's documents. Known by their first
bytes, not by their name or the type the browser claims, and bounded in size."""

from django.utils.translation import gettext as _

from lockdown.core.errors import ServiceError

UPLOAD_MAX = 5 * 2**20  # a phone's photo or a scanned page; more is not a document
IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")  # JPEG, PNG, WebP
PDF = b"%PDF-"
TYPES = dict(zip((*IMAGES, PDF), ("image/jpeg", "image/png", "image/webp", "application/pdf"), strict=True))


def require_photo(upload, *, field="photo") -> None:
    _require(upload, IMAGES, _("This file is not a photo (JPEG, PNG or WebP): nothing was saved."), field)


def require_document(upload, *, field="file") -> None:
    _require(upload, (*IMAGES, PDF), _("This file is not a photo or a PDF: nothing was saved."), field)


def _require(upload, magics, message, field):
    if upload.size > UPLOAD_MAX:
        message = _("This file is larger than 5 MB: take the photo again, or send a smaller one.")
        raise ServiceError(message, field=field)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(magics):
        raise ServiceError(message, field=field)


def content_type(stored) -> str:
    """The type a stored upload is served as, from its first bytes: never from the name its sender
    gave it, so a page named .html is still only a picture."""
    with stored.storage.open(stored.name, "rb") as handle:  # its own handle: the response reads the file's
        head = handle.read(8)
    return next((kind for magic, kind in TYPES.items() if head.startswith(magic)), "application/octet-stream")
