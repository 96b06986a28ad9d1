"""Scheduled re-ingestion: poll article sources, send them through the server's API, and have the
current pipeline version process what it has not; once, or every DURATION as a job.

This is `timeline reingest` (service/reingest.py), runnable from a checkout or a container:

    python3 -m uv run --frozen python scripts/reingest.py --source data/inbox --every 1h
    python3 -m uv run --frozen python scripts/reingest.py --server http://api:8000 --every 30m --max-failures 5

One log line per cycle on stdout; SIGTERM or Ctrl-C stops it between batches; after --max-failures
failed cycles in a row it exits with 3 (server gone) or 1 (bad files). See `--help` for every flag.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["reingest", *sys.argv[1:]]))
