"""The embedded Feishu sandbox in a process of its own, with a log of when each request came and went.

A separate process so that the sandbox's own work (it is Python too) does not
compete for the interpreter lock with the client being measured. Each API request
is logged as (endpoint, arrived, answered, HTTP status, is a next page) with
`time.monotonic()`,
which is one clock for every process on the machine.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from urllib.parse import urlsplit

from benchmarks.workload import TenantSpec

PREFIX = "/open-apis/"


def _serve(connection, spec: TenantSpec, options: dict) -> None:
    from reconciler.sandbox import Sandbox, server
    from reconciler.sandbox.handler import SandboxHandler

    log: list[tuple[str, float, float, int, bool]] = []

    class TimedHandler(SandboxHandler):
        def _dispatch(self, method: str) -> None:
            arrived = time.monotonic()
            self._status = 0
            super()._dispatch(method)
            url = urlsplit(self.path)
            endpoint = url.path[len(PREFIX):].strip("/") if url.path.startswith(PREFIX) else url.path
            next_page = "page_token=" in url.query  # needs the previous page's answer
            log.append((endpoint, arrived, time.monotonic(), self._status, next_page))

        def _send(self, answer) -> None:
            self._status = answer.status
            super()._send(answer)

    server.SandboxHandler = TimedHandler  # this process only serves benchmarks
    from reconciler.sandbox.talents_api import index_talents

    tenant = spec.build()
    index_talents(tenant)  # before serving: built by the first request, it would hold up the others
    # The tenant and its index are millions of long-lived objects: out of the cycle
    # collector's sight, whose full passes over them would stall the sandbox's reading of
    # requests (its arrival stamps, which its limiter counts) by tens of milliseconds.
    gc.freeze()
    sandbox = Sandbox(tenant, **options).start()
    connection.send(sandbox.url)
    while True:
        command, argument = connection.recv()
        if command == "stats":
            connection.send(sandbox.stats.snapshot())
        elif command == "log":
            connection.send(list(log))
            if argument:
                log.clear()
        elif command == "configure":
            sandbox.configure(**argument)
            connection.send(True)
        elif command == "stop":
            sandbox.stop()
            connection.send(True)
            return


class SandboxProcess:
    """`with SandboxProcess(spec, latency=0.15) as sb: sb.url, sb.stats(), sb.requests_log()`."""

    def __init__(self, spec: TenantSpec, **options):
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, spec, options), daemon=True)
        self.url = ""

    def __enter__(self) -> SandboxProcess:
        self._process.start()
        if not self._connection.poll(120):
            raise RuntimeError("the sandbox process did not start within 120 s")
        self.url = self._connection.recv()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._call("stop")
        finally:
            self._process.join(timeout=10)

    def _call(self, command: str, argument=None):
        self._connection.send((command, argument))
        return self._connection.recv()

    def stats(self) -> dict:
        return self._call("stats")

    def requests_log(self, clear: bool = True) -> list[tuple[str, float, float, int, bool]]:
        return self._call("log", clear)

    def configure(self, **options) -> None:
        self._call("configure", options)
