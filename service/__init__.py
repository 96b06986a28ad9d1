"""Timeline reconstruction for news: time expressions, events and deduplicated timelines."""

__version__ = "0.3.0"  # bump when the deriving code changes what it derives (pipeline version)
