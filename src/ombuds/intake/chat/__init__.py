"""Live chat: a visitor's widget on the marketplace's site, an agent on the desk.

A chat session is held by an unguessable token the widget keeps; every visitor message is
stored through the intake's front door (`accept`, external id = the widget's own message
id, so a resend after a reconnect is not doubled) and filed at once, so a chat is a case
and its messages are the transcript. Replies reach the visitor live while their widget is
connected and by email once it is not (see docs/adr/0010-live-chat-widget.md).
"""
