"""Readers that turn external document formats into text + anchor (+ gold, for corpora)."""

from service.sources.timeml import GoldEvent, GoldTimex, Sentence, TimeMLDocument, Token, read_timeml

__all__ = ["GoldEvent", "GoldTimex", "Sentence", "TimeMLDocument", "Token", "read_timeml"]
