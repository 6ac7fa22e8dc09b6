"""A TCP proxy of the tests' own in front of PostgreSQL: forwards bytes, and can cut the database off (drop every
connection, then refuse or drop new ones) and restore it, without ever touching the real server."""

from __future__ import annotations

import contextlib
import socket
import threading

HOST = "127.0.0.1"


class TcpProxy:
    """Listens on a free loopback port and forwards each connection to `upstream`.

    `cut(refuse=True)` closes every open connection and stops listening (new connections are refused);
    `cut(refuse=False)` closes every open connection and drops each new one as soon as it is accepted.
    `restore()` forwards again, on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self.is_cut = False
        self.accepted = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True, name="proxy-accept")
        self._acceptor.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                if self.is_cut:
                    _close(client)
                    continue
                self.accepted += 1
                try:
                    upstream = socket.create_connection(self.upstream, timeout=5)
                    upstream.settimeout(None)
                except OSError:
                    _close(client)
                    continue
                self._open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True, name="proxy-pump").start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                for s in (src, dst):
                    if s in self._open:
                        self._open.discard(s)
                        _close(s)

    def open_connections(self) -> int:
        with self._lock:
            return len(self._open) // 2

    def cut(self, *, refuse: bool = True) -> None:
        """The database is gone: every connection through the proxy is closed at once."""
        with self._lock:
            self.is_cut = True
            for s in self._open:
                _close(s)
            self._open.clear()
        if refuse and self._listener is not None:
            _close(self._listener)
            self._listener = None
            if self._acceptor is not None:
                self._acceptor.join(timeout=5)

    def restore(self) -> None:
        """The database is back: new connections are forwarded again."""
        with self._lock:
            self.is_cut = False
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut(refuse=True)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        s.close()
