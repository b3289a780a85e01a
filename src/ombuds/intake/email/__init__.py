"""Email in and out.

In: `read` is the email channel's reader — `decode` (charsets, encoded words), `parse`
(MIME into text, HTML and files), `markup` (HTML as text and lines), `quotes` (what a
reply adds), `classify` (bounce, automatic, person) — with `bounces` marking our failed
deliveries and `notices` telling senders of refused mail why. Mail arrives through
`endpoint` (signed raw MIME from a provider), `ingest` (files, mbox, Maildir) and the
mailboxes fetched over IMAP.

Out: `compose` builds a reply as mail programs thread it, `send` hands it to SMTP for the
outbox; `own` holds our side of a thread (addresses, Message-IDs, plus addresses).
See docs/adr/0020.
"""
