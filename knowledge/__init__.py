"""Preventiewijzer's knowledge base: data files, loader, database store and plan engine.

Usable without Rasa: ``python -m knowledge --help``.
"""
