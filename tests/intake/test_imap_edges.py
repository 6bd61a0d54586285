"""IMAP edges against the real server: --mark-seen, the password, a dropped connection."""

from __future__ import annotations

import contextlib
import socket
import threading

from click.testing import CliRunner

from consolidate.cli.main import cli
from consolidate.intake import imap, run_intake
from tests.intake.conftest import PASSWORD, XLSX, message, raw, return_bytes, vn


def _fill(server, definition, tmp_path, n: int) -> str:
    box = server.new_mailbox()
    for i in range(n):
        data = return_bytes(definition, "SNV", tmp_path, seed=i)
        server.append(box, raw(message("snv@example.gov.vn", f"Lần {i}", [(f"bc-{i}.xlsx", data, XLSX)])),
                      vn(2026, 6, 1 + i, 9, 0))
    return box


def test_mark_seen_is_opt_in(imap_server, imap_env, plan, definition, tmp_path):
    box = _fill(imap_server, definition, tmp_path, 2)
    args = ["intake", "-d", str(plan), "-p", "2026-H1", "--into", str(tmp_path / "in")]
    assert CliRunner().invoke(cli, [*args, imap_server.url(box)]).exit_code == 0
    assert all(b"\\Seen" not in f for f in imap_server.flags(box))
    box2 = _fill(imap_server, definition, tmp_path, 2)
    assert CliRunner().invoke(cli, [*args, "--mark-seen", imap_server.url(box2)]).exit_code == 0
    assert all(b"\\Seen" in f for f in imap_server.flags(box2))


def test_password_prompt_hidden_and_refused_login(imap_server, plan, definition, tmp_path, monkeypatch):
    monkeypatch.delenv("CONSOLIDATE_IMAP_PASSWORD", raising=False)
    box = _fill(imap_server, definition, tmp_path, 1)
    args = ["intake", "-d", str(plan), "-p", "2026-H1", "--into", str(tmp_path / "in"), imap_server.url(box)]
    result = CliRunner().invoke(cli, args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "đã lấy 1 thư mới" in result.output
    wrong = CliRunner().invoke(cli, args, env={"CONSOLIDATE_IMAP_PASSWORD": "sai"})
    assert wrong.exit_code == 1 and "từ chối đăng nhập" in wrong.output
    in_url = CliRunner().invoke(cli, [*args[:-1], imap_server.url(box).replace("@", ":pw@", 1)])
    assert in_url.exit_code == 2


class DroppingProxy:
    """Forwards 127.0.0.1:port to the server; connection i is cut after budgets[i] bytes from
    the server (None: never; past the list: the last budget)."""

    def __init__(self, target: int, budgets: list[int | None]):
        self.target, self.budgets, self.count = target, budgets, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.sockets: list[socket.socket] = []
        self._start(self._accept)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            budget = self.budgets[min(self.count, len(self.budgets) - 1)]
            self.count += 1
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.sockets += [client, upstream]
            self._start(self._pipe, client, upstream, None)
            self._start(self._pipe, upstream, client, budget)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, budget: int | None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if budget is not None and sent + len(data) > budget:
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        """Stop every thread: the merge and the readers fork only when no other thread runs."""
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        for thread in self.threads:
            thread.join(timeout=5)
        assert threading.active_count() == 1


def _run(definition, url, returns):
    return run_intake(definition, definition.period("2026-H1"), returns, [url], password=lambda label: PASSWORD)


def test_dropped_connection_is_retried_then_reported(imap_server, definition, tmp_path, monkeypatch):
    monkeypatch.setattr(imap, "CHUNK", 2)
    monkeypatch.setattr(imap, "RETRY_DELAYS", (0, 0, 0))
    box = _fill(imap_server, definition, tmp_path, 5)
    one_chunk = 2 * len(return_bytes(definition, "SNV", tmp_path)) * 4 // 3 + 6000

    # cut once mid-way: the retry takes the rest, nothing twice
    proxy = DroppingProxy(imap_server.port, [one_chunk, None])
    url = f"imap://sonoivu@127.0.0.1:{proxy.port}/{box}"
    result = _run(definition, url, tmp_path / "a" / "in")
    proxy.close()
    assert not result.failed and len(result.taken) == 5 and proxy.count == 2

    # cut every time after the first chunk: reported, and what was taken stays taken
    proxy = DroppingProxy(imap_server.port, [one_chunk, 300])
    url = f"imap://sonoivu@127.0.0.1:{proxy.port}/{box}"
    result = _run(definition, url, tmp_path / "b" / "in")
    proxy.close()
    assert len(result.failed) == 1 and [p.code for p in result.failed[0].problems] == ["mailbox-failed"]
    assert 0 < len(result.taken) < 5
    kept = sorted(p.name for p in (tmp_path / "b" / "in").iterdir())
    rest = _run(definition, imap_server.url(box), tmp_path / "b" / "in")
    assert len(rest.taken) == 5 - len(result.taken) and not rest.failed
    assert set(kept) <= {p.name for p in (tmp_path / "b" / "in").iterdir()}
    assert len(list((tmp_path / "b" / "in").iterdir())) == 5
