"""Custom actions of Preventiewijzer (run by the rasa_sdk action server).

Thin by design: read slots, call ``knowledge``, render replies. No SQL here.
"""
