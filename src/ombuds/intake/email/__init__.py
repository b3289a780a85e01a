"""Email in and out: reading raw MIME into messages, sending replies through the outbox."""
