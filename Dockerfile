# One image for the API (`timeline serve`), the scheduled re-ingestion job (scripts/reingest.py) and, in
# compose.yaml's `lake` profile, the ingest and its Dask scheduler and workers.
# Build: docker build -t timeline-service .   Run both: docker compose up
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

# uv installs exactly what uv.lock pins, with hashes.
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY service ./service
COPY sql ./sql
COPY scripts ./scripts
RUN uv sync --frozen --no-dev

# The database and the snapshots live in /data (a volume in compose.yaml), owned by an unprivileged user;
# a DuckLake's Parquet files in /lake (compose.yaml's `lake` profile), which a new volume takes its owner from.
RUN useradd --system --uid 10001 --home-dir /app timeline && mkdir -p /data /lake && chown timeline /data /lake
USER timeline
ENV TIMELINE_DB_PATH=/data/timeline.duckdb \
    TIMELINE_SNAPSHOT_DIR=/data/snapshots \
    TIMELINE_HOST=0.0.0.0 \
    TIMELINE_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["timeline", "serve"]
