"""Live chat at the edge: the widget a marketplace embeds, its texts and demo page, and the
two websockets — the visitor's and the desk's. Domain writes live in `intake.chat`."""
