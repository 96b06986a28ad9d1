"""Timeline reconstruction for news: time expressions, events and deduplicated timelines."""

__version__ = "0.2.0"
