"""A socket guard for tests: no connection may leave this machine.

While the guard is on, socket.socket.connect / connect_ex, socket.create_connection and
socket.getaddrinfo refuse (OSError) and record any attempt to reach an address that is not
loopback (127.0.0.0/8, ::1, "localhost"); Unix sockets and socket pairs are allowed. The
`netguard` fixture fails the test if any attempt was recorded, even one the code under test
caught and swallowed. Use it in a module with

    from netguard import netguard  # noqa: F401  (the fixture)
    pytestmark = pytest.mark.usefixtures("netguard")

It sees only this process: the /sparql query workers (graph.runner) and pyoxigraph's own HTTP
client (native code) open their sockets elsewhere. For those, listen on a loopback address and
check that nothing connected (`Listener`).
"""

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class OutboundRefused(OSError):
    """What the guard raises instead of connecting."""


@dataclass
class NetGuard:
    attempts: list[str] = field(default_factory=list)

    def refuse(self, what: str) -> OutboundRefused:
        self.attempts.append(what)
        return OutboundRefused(f"netguard: outbound connection refused: {what}")


def is_loopback_host(host: object) -> bool:
    """Whether host (an IP literal or a name) can only mean this machine."""
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard or loopback
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def is_allowed(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    if isinstance(address, tuple) and address:
        return is_loopback_host(address[0])
    return False


@contextmanager
def guarded() -> Iterator[NetGuard]:
    """Patch the socket module for the duration of the block; yields the record."""
    guard = NetGuard()
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create_connection = socket.create_connection
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not is_allowed(self.family, address):
            raise guard.refuse(f"connect {address!r}")
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not is_allowed(self.family, address):
            raise guard.refuse(f"connect_ex {address!r}")
        return original_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not is_loopback_host(address[0]):
            raise guard.refuse(f"create_connection {address!r}")
        return original_create_connection(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback_host(host):
            raise guard.refuse(f"getaddrinfo {host!r}")  # a DNS query already leaves
        return original_getaddrinfo(host, *args, **kwargs)

    patches: list[tuple[Any, str, Callable[..., Any]]] = [
        (socket.socket, "connect", connect),
        (socket.socket, "connect_ex", connect_ex),
        (socket, "create_connection", create_connection),
        (socket, "getaddrinfo", getaddrinfo),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        yield guard
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


@pytest.fixture
def netguard() -> Iterator[NetGuard]:
    """The guard on for one test; the test fails if anything tried to leave the machine."""
    with guarded() as guard:
        yield guard
    assert guard.attempts == [], f"outbound connections attempted: {guard.attempts}"


class Listener:
    """A TCP listener on a loopback address that records every connection it accepts.

    Point an IRI of the input at it (`url`); afterwards `connections` says whether anything,
    in any process, tried to fetch it.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((host, 0))
        self.server.listen(16)
        self.server.settimeout(0.1)
        self.host = host
        self.port: int = self.server.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="listener", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
