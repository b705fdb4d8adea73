#!/usr/bin/env python3
"""Writers and faults, with real processes and real file systems: `kill -9` of `threatmap ingest`
at random moments (the store passes SQLite's integrity check, and ingesting the same files again
gives the store a clean ingest gives), `kill -9` of `export tiles` to an MBTiles archive (no half
archive under the final name), two ingests into one store at once (both land, nothing lost), a
store on a full file system (a 1 MB tmpfs this script mounts: a clear "no room left" error,
nothing already stored lost) and on a read-only one (a clear error). The tmpfs checks need
mount(8) and the privilege to use it; without them they are skipped, saying so."""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

from checks import binary, check, finish, root

random.seed(11)
bin = binary()
work = tempfile.mkdtemp(prefix="threatmap-faults-")
samples = sorted(str(p) for p in (root / "GeoData" / "alerts").iterdir())
events = os.path.join(work, "events.csv")
subprocess.run(["python3", str(root / "Scripts/bench/make_events.py"), "60000", events, str(root / "GeoData/mali/gazetteer.csv")],
               check=True, capture_output=True)
inputs = samples + [events]


def ingest(store, files, **kw):
    return subprocess.run([bin, "ingest", "--store", store, *files], capture_output=True, text=True, **kw)


def query(store, sql):
    db = sqlite3.connect(store)  # closed here: `with` would only commit, and keep the file open
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def counts(store):
    return tuple(query(store, f"SELECT COUNT(*) FROM {t}") for t in ("document", "alert", "assessment", "incident"))


def intact(store):
    return query(store, "PRAGMA integrity_check") == "ok"


clean = os.path.join(work, "clean.sqlite")
result = ingest(clean, inputs)
check("a clean ingest of the samples and 60,000 rows", result.returncode in (0, 1) and counts(clean)[3] > 0, result.stderr[-300:])
expected = counts(clean)

# kill -9 at random moments, then the same files again.
store = os.path.join(work, "killed.sqlite")
for attempt in range(6):
    process = subprocess.Popen([bin, "ingest", "--store", store, *inputs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0.05, 2.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    if os.path.exists(store):
        check(f"after kill -9 number {attempt + 1} the store passes integrity_check", intact(store))
ingest(store, inputs)
check("ingesting the same files after the kills gives what a clean ingest gives", counts(store) == expected, f"{counts(store)} != {expected}")

# Two ingests at once: both land.
both = os.path.join(work, "both.sqlite")
first, second = samples[: len(samples) // 2], samples[len(samples) // 2:] + [events]
a = subprocess.Popen([bin, "ingest", "--store", both, *first], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
b = subprocess.Popen([bin, "ingest", "--store", both, *second], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
(_, ea), (_, eb) = a.communicate(timeout=300), b.communicate(timeout=300)
refused_a = f"store {both}:" in ea  # a store error names the store; bad rows of the samples do not
refused_b = f"store {both}:" in eb
check("two ingests into one new store at once both finish without a store error", not refused_a and not refused_b,
      "\n".join(l for l in (ea + eb).splitlines() if f"store {both}:" in l))
check("and together they store what one ingest of all the files stores", counts(both) == expected, f"{counts(both)} != {expected}")
check("the store they share passes integrity_check", intact(both))

# kill -9 during export tiles: no half archive under the final name.
archive = os.path.join(work, "map.mbtiles")
process = subprocess.Popen([bin, "export", "tiles", "--store", clean, "--as-of", "2024-07-05", "--maxzoom", "12", "-o", archive],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1.5)
finished = process.poll() is not None
process.send_signal(signal.SIGKILL)
process.wait()
if finished:
    check("export tiles finished before the kill (nothing to check)", True)
else:
    check("a killed export leaves no archive under the final name", not os.path.exists(archive))

# A full and a read-only file system.
mount = os.path.join(work, "tmpfs")
os.makedirs(mount)
mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount], capture_output=True, text=True).returncode == 0
if not mounted:
    print("skipped: the disk-full and read-only checks (mounting a tmpfs needs mount(8) and the privilege to use it)")
else:
    try:
        small = os.path.join(mount, "store.sqlite")
        ingest(small, samples[:3])
        before = counts(small)
        result = ingest(small, [events])
        check("a full file system: ingest fails", result.returncode != 0)
        check("with an error that says so", "no room left" in result.stderr, result.stderr[-300:])
        check("nothing already stored is lost", counts(small) == before and intact(small), f"{counts(small)} != {before}")
        subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
        result = ingest(small, samples[3:4])
        check("a read-only file system: ingest fails with an error that says so",
              result.returncode != 0 and "read-only file system" in result.stderr, result.stderr[-300:])
    finally:
        subprocess.run(["umount", mount])

shutil.rmtree(work, ignore_errors=True)
finish("faults")
