"""Macros, the desk's approved answers: rendering, writing, reading."""
