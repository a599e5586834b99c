"""Run the app with uvicorn in a background thread: for the demo, benchmarks and tests."""

from __future__ import annotations

import errno
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI


@dataclass
class BackgroundServer:
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class PortInUse(OSError):
    """The port is taken, by another program or another czujka."""


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0: a free port), or `PortInUse` naming the address."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"{host}:{port} is already in use") from None
        raise
    sock.listen(2048)
    return sock


def start_in_thread(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0) -> BackgroundServer:
    """Start serving and return once the socket listens; port 0 picks a free one. The socket is bound here,
    so a taken port is a `PortInUse` the caller can explain, not a failure inside the server thread."""
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(app, host=host, port=bound, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="czujka-http")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{bound}")
        time.sleep(0.01)
    return BackgroundServer(server=server, thread=thread, url=f"http://{host}:{bound}")
