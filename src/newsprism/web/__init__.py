"""The web app: server-rendered pages with JSON twins, the ingest API, the static export."""

from newsprism.web.app import create_app

__all__ = ["create_app"]
