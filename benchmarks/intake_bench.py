"""Benchmark `consolidate intake`: N messages, each with a real return attached, on a local
IMAP server (pymap on 127.0.0.1, started and stopped here); the first intake into an empty
returns folder and register, then the re-run with nothing new. Whole processes, medians.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

USER, PASSWORD = "bench", "bench-pass"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
VN = dt.timezone(dt.timedelta(hours=7))


@contextmanager
def imap_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pymap.main import main; main()", "--host", "127.0.0.1", "--port", str(port),
         "--no-tls", "dict", "--demo-data", "--demo-user", USER, "--demo-password", PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("pymap did not start (pip install -e '.[test]')") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fill(port: int, mailbox: str, returns: Path, n: int, senders: list[str]) -> int:
    """APPEND one message per return (up to n), from the plan's unit addresses, hours apart
    around the deadline."""
    conn = imaplib.IMAP4("127.0.0.1", port)
    conn.login(USER, PASSWORD)
    conn.create(mailbox)
    files = sorted(returns.iterdir())[:n]
    for i, path in enumerate(files):
        msg = EmailMessage()
        msg["From"] = senders[i] if i < len(senders) else f"don-vi-{i}@example.gov.vn"
        msg["To"] = "sonoivu@example.gov.vn"
        msg["Subject"] = f"Báo cáo 6 tháng đầu năm 2026 - {path.stem}"
        msg["Message-ID"] = make_msgid(domain="example.gov.vn")
        msg.set_content("Kính gửi Sở Nội vụ, đơn vị gửi báo cáo kèm theo.")
        msg.add_attachment(path.read_bytes(), maintype=XLSX[0], subtype=XLSX[1], filename=path.name)
        when = dt.datetime(2026, 6, 1, 8, 0, tzinfo=VN) + dt.timedelta(hours=i)
        conn.append(mailbox, None, imaplib.Time2Internaldate(when), msg.as_bytes())
    conn.logout()
    return len(files)


def bench_intake(plan: Path, period: str, returns: Path, n: int, runs: int, timed) -> dict:
    """`plan`: the plan the specialist runs intake with (its units' addresses send the mail)."""
    from consolidate.definition import loader

    senders = [u.email.split(",")[0].strip() for u in loader.load(plan).units if "@" in (u.email or "")]
    first: list[float] = []
    again: list[float] = []
    env = {**os.environ, "CONSOLIDATE_IMAP_PASSWORD": PASSWORD}
    with imap_server() as port:
        count = 0
        for run in range(runs):
            mailbox = f"bench{run}"
            count = fill(port, mailbox, returns, n, senders)
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [sys.executable, "-m", "consolidate", "intake", "--definition", str(plan), "--period", period,
                       "--into", str(Path(tmp) / "in"), "--register", str(Path(tmp) / "register.sqlite"),
                       f"imap://{USER}@127.0.0.1:{port}/{mailbox}"]
                first.append(timed(cmd, env)[0])
                saved = len(list((Path(tmp) / "in").iterdir()))
                again.append(timed(cmd, env)[0])
    return {"messages": count, "saved": saved, "runs": runs, "first": statistics.median(first),
            "rerun": statistics.median(again)}
