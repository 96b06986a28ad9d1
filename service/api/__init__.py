"""HTTP interface (Litestar): thin controllers over the pipeline and the store."""

from service.api.app import create_app

__all__ = ["create_app"]
