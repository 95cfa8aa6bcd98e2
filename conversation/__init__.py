"""The conversation logic, free of Rasa: reading answers, corrections and the interview state.

Imports go one way: ``knowledge`` <- ``conversation`` <- ``actions`` and ``bot``. Unit tests and
the officer-simulation benchmark drive this package directly, without servers.
"""
