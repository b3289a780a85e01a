import pytest

from ombuds.conversations.attachments import IncomingFile, clean_filename
from ombuds.conversations.models import Attachment, Case, Message
from ombuds.core.errors import ApplicationError
from tests import builders


def test_attachment_is_stored_with_its_real_name(workspace, buyer):
    case = builders.case(
        workspace,
        requester=buyer,
        files=[IncomingFile("bon 12.pdf", "application/pdf", b"%PDF-1.4 receipt")],
    )
    attachment = Attachment.objects.get(message__case=case)
    assert attachment.filename == "bon 12.pdf"
    assert attachment.size == len(b"%PDF-1.4 receipt")
    with attachment.file.open("rb") as fh:
        assert fh.read() == b"%PDF-1.4 receipt"


def test_oversized_attachment_refuses_the_whole_message(workspace, buyer, settings):
    settings.OMBUDS_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(ApplicationError) as refused:
        builders.case(
            workspace, requester=buyer, files=[IncomingFile("photo.jpg", "image/jpeg", b"x" * 1001)]
        )
    assert refused.value.code == "attachment_too_large"
    assert refused.value.status == 413
    assert not Case.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize(
    "name,content_type",
    [
        ("invoice.exe", "application/octet-stream"),
        ("page.html", "text/plain"),
        ("logo.svg", "image/svg+xml"),
        ("harmless.txt", "text/html"),
    ],
)
def test_dangerous_types_are_refused(workspace, buyer, name, content_type):
    with pytest.raises(ApplicationError) as refused:
        builders.case(workspace, requester=buyer, files=[IncomingFile(name, content_type, b"MZ")])
    assert refused.value.code == "attachment_type_not_allowed"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
        ("<img src=x onerror=alert(1)>.png", "img src=x onerror=alert(1).png"),
        ("", "attachment"),
    ],
)
def test_file_names_lose_paths_and_markup(raw, clean):
    assert clean_filename(raw) == clean
