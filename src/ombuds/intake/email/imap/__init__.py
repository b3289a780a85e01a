"""Fetching a workspace's email from its IMAP mailboxes, without ever losing a message.

The order of the steps is the guarantee. For each batch of new messages:

1. ask the server for their sizes and Message-IDs (`RFC822.SIZE`, a few header fields);
   what is already stored, or too large to take in, is not downloaded;
2. download the rest (`BODY.PEEK[]`, which leaves the server's \\Seen flag alone);
3. store every one with `intake.inbound.accept` and **commit**;
4. only then tell the server: flag \\Seen, move to the archive folder, or delete and
   expunge; and remember the highest UID done.

A crash before step 4 leaves the messages on the server as they were: the next fetch sees
them again, finds them stored (the external id is unique) and only does step 4. A crash
during step 3 rolls the batch back; nothing was flagged. Processing the stored rows into
cases is separate (`intake.inbound`), so a slow or failing reader never holds up fetching.

UIDVALIDITY is remembered per mailbox. When the server changes it (the folder was
recreated or restored) the UIDs mean nothing any more: the folder is scanned from the
start, and whatever was stored already is recognised by its Message-ID, not doubled.

`session` connects and explains failures, `fetch` does the steps above, `idle` keeps a
connection open per mailbox and fetches as mail arrives (IMAP IDLE).
"""

from .fetch import FetchReport, fetch_mailbox, fetch_new, record_failure
from .session import MailboxCheck, MailboxError, check_mailbox, connect

__all__ = [
    "FetchReport",
    "MailboxCheck",
    "MailboxError",
    "check_mailbox",
    "connect",
    "fetch_mailbox",
    "fetch_new",
    "record_failure",
]
