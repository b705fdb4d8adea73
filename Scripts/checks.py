"""What the check scripts share: the repository root, the threatmap binary to run, the
"ok:"/"FAILED:" lines with their tally, and stopping a server with SIGTERM."""
import functools
import os
import pathlib
import signal
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
passed = failed = 0


@functools.cache
def binary():
    """THREATMAP_BIN, else the debug build's threatmap."""
    return os.environ.get("THREATMAP_BIN") or str(
        pathlib.Path(subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=root, text=True).strip()) / "threatmap")


def check(name, ok, detail=""):
    """Prints one check's line (the detail only when it failed) and counts it."""
    global passed, failed
    print(("ok: " if ok else "FAILED: ") + name + (f" ({detail})" if detail and not ok else ""), flush=True)
    passed, failed = passed + bool(ok), failed + (not ok)


def finish(label):
    """Prints the tally and exits, non-zero when a check failed."""
    print(f"{label}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def stop(server, timeout=15):
    """SIGTERM to a running `threatmap serve`; its exit status (None if it had to be killed) and
    standard error."""
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        code = None
    return code, server.stderr.read()
