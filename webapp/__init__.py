"""Perspectives' web app: a thin Flask layer over the search core in `indexer`.

Production: `gunicorn -w 4 'webapp:create_app()'`. The app is made in webapp/app.py, imported
only when one is created: the command line (webapp/cli.py) imports this package, and its
`perspectives index`, run after every edit, starts without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: settings, the index's Library, blueprints, error handlers, headers."""
    from webapp.app import create_app as create

    return create(config)
