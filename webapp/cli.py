"""`perspectives serve`: the web app's command, added to the group of `indexer.cli`.

The command line's group and its indexing and search commands live beside the library
(indexer/cli.py), which never imports the web app; this module adds `serve` to that group and
is the `perspectives` entry point. `serve --watch` runs `python -m indexer.cli index --watch`
as a process of its own beside the server.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from indexer.build import is_stale
from indexer.cli import build, fieldmap_option, main, path_options, print_report
from indexer.watching import watch_command

__all__ = ["main", "serve"]


@main.command()
@path_options
@fieldmap_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option(
    "--watch",
    is_flag=True,
    help="Also run 'perspectives index --watch' beside the server: each change to the "
    "archive is searchable about a second after it is saved.",
)
def serve(
    archive: Path, index_dir: Path, fieldmap: Path | None, host: str, port: int, watch: bool
) -> None:
    """Build the index if it is missing or stale, then serve the web app (development server)."""
    if archive.is_dir() and is_stale(archive, index_dir, fieldmap):
        print_report(build(archive, index_dir, fieldmap, full=False, wait=True))
    from webapp import create_app
    from webapp.headers import QuietRequestHandler

    try:
        app = create_app({"INDEX": str(index_dir.resolve())})
    except ValueError as exc:  # a bad setting: its message names it and the value
        raise click.ClickException(str(exc)) from exc
    _check_port(host, port)
    watcher = _start_watcher(archive, index_dir, fieldmap) if watch else None
    if watcher is not None:  # SIGTERM ends the server through `finally`, stopping the watcher
        import signal

        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    click.echo(f"Serving {index_dir} at http://{host}:{port}/")
    try:
        app.run(
            host=host,
            port=port,
            debug=False,
            use_reloader=False,
            request_handler=QuietRequestHandler,
        )
    finally:
        if watcher is not None:
            _stop_watcher(watcher)


def _check_port(host: str, port: int) -> None:
    """Stop with a clear message, before saying "Serving", when the port cannot be had."""
    import errno
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is in use (another server?): pick another with "
                f"--port, or `make run PORT={port + 1}`"
            ) from exc
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc


def _start_watcher(archive: Path, index_dir: Path, fieldmap: Path | None) -> Any:
    """Start `perspectives index --watch` as a process of its own (its indexing never holds up
    a request, and its memory goes back when it ends)."""
    import subprocess

    if not archive.is_dir():
        raise click.ClickException(
            f"{archive}: no archive folder to watch (set --archive or PERSPECTIVES_ARCHIVE)"
        )
    command = watch_command(archive, index_dir, fieldmap)
    return subprocess.Popen(command, preexec_fn=_end_with_parent)


def _end_with_parent() -> None:
    """Have Linux stop the watcher (SIGTERM: it finishes its batch) if the server dies."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to ask
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def _stop_watcher(process: Any) -> None:
    """Ask the watcher to stop (it finishes the batch in hand) and wait for it."""
    import signal
    import subprocess

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
