#!/usr/bin/env python3
"""`threatmap serve` stops cleanly: a POST whose body is still arriving when SIGTERM comes is
finished and answered (201) and its alert is in the store afterwards; new connections are refused
once the server stops listening; the process exits 0 after closing the store, whose file then
passes SQLite's integrity check with no write-ahead log left. Prints "N passed, N failed"; exits 1
on failure."""
import glob
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

from checks import binary, check, finish, root



alert = json.dumps({
    "id": "shutdown-test-gao", "title": "Mali: Roadside bomb reported near Gao",
    "published": "2024-07-01T09:00:00Z", "places": [{"name": "Gao", "role": "event"}], "categories": {"terrorism": 4},
}).encode()

with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store.sqlite")
    subprocess.run([binary(), "ingest", "--store", store, *sorted(glob.glob(str(root / "GeoData/alerts/*.json")))], capture_output=True)
    server = subprocess.Popen([binary(), "serve", "--port", "0", "--store", store], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "THREATMAP_TOKEN": "shutdown-token"})
    line = server.stdout.readline()
    port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
    check("serve listens", server.poll() is None, line)

    # Headers and half the body, then SIGTERM, then the rest.
    conn = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (f"POST /alerts HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer shutdown-token\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(alert)}\r\nConnection: close\r\n\r\n").encode()
    conn.sendall(head + alert[: len(alert) // 2])
    time.sleep(0.3)
    server.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    check("the server waits for the request in flight", server.poll() is None)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        refused = True
    check("new connections are refused after SIGTERM", refused)
    conn.sendall(alert[len(alert) // 2:])
    response = b""
    while chunk := conn.recv(65536):
        response += chunk
    conn.close()
    status = response.split(b" ", 2)[1] if response.startswith(b"HTTP/1.1") else b"none"
    check("the request in flight is answered 201", status == b"201", response[:200].decode(errors="replace"))
    try:
        code = server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        code = None
    log = server.stderr.read()
    check("the process exits 0 after closing the store", code == 0 and "store closed" in log, f"exit {code}: {log[-300:]}")
    db = sqlite3.connect(store)
    check("the alert written during shutdown is stored", db.execute("SELECT COUNT(*) FROM alert WHERE id = 'shutdown-test-gao'").fetchone()[0] == 1)
    check("the store passes SQLite's integrity check", db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    db.close()
    wal = store + "-wal"
    check("no write-ahead log is left over", not os.path.exists(wal) or os.path.getsize(wal) == 0)
finish("shutdown")
