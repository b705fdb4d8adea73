#!/usr/bin/env python3
"""The viewer in a real browser: ingests the sample alerts into a scratch store, starts
`threatmap serve` with MapLibre GL JS taken from the PyPI `maplibre` wheel (served from a local
HTTP server; nothing of it is committed), opens the viewer in Debian's chromium driven by PyPI
playwright, waits for the map to be idle, and checks: no console errors, the legend's five levels,
the region under Bamako rendered (map.queryRenderedFeatures) with the level the store gives
(/layers/regions), a page whose MapLibre cannot be loaded saying so and naming --maplibre-url,
a click's popup saying whether advisories or events set the level, the line
under the legend saying what sets levels over which window; then POSTs a new alert through the API, reloads, and sees Bamako's level change;
then SIGTERM stops the server cleanly. Prints "N passed, N failed"; exits 1 on failure.
Needs: chromium (apt), playwright (pip); fetches maplibre==0.3.6 with pip download."""
import functools
import glob
import http.server
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import urllib.request
import zipfile

from playwright.sync_api import sync_playwright

from checks import binary, check, finish, root, stop
chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AS_OF = "2024-03-07"  # the day of the sample Bamako protests alert
BAMAKO = [-8.0, 12.64]



def maplibre_files(folder):
    """maplibre-gl.js and .css from the PyPI wheel, into `folder`."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "maplibre==0.3.6", "-d", folder], check=True)
    wheel = glob.glob(os.path.join(folder, "maplibre-0.3.6-*.whl"))[0]
    with zipfile.ZipFile(wheel) as z:
        for name in ("maplibre-gl.js", "maplibre-gl.css"):
            with open(os.path.join(folder, name), "wb") as out:
                out.write(z.read(f"maplibre/srcjs/{name}"))


def static_server(folder):
    """A plain HTTP server for `folder` on a free port; returns its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def bamako_level(base):
    with urllib.request.urlopen(f"{base}/layers/regions?as_of={AS_OF}") as r:
        regions = json.load(r)
    return next(f["properties"]["level"] for f in regions["features"] if f["properties"]["id"] == "bamako")


with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store.sqlite")
    subprocess.run([binary(), "ingest", "--store", store, *sorted(glob.glob(str(root / "GeoData/alerts/*")))], capture_output=True)
    vendor = os.path.join(tmp, "vendor")
    os.makedirs(vendor)
    maplibre_files(vendor)
    assets = static_server(vendor)
    token = secrets.token_hex(16)
    server = subprocess.Popen([binary(), "serve", "--port", "0", "--store", store, "--maplibre-url", f"{assets}/maplibre-gl.js"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "THREATMAP_TOKEN": token})
    try:
        line = server.stdout.readline()
        base = line.split("http://", 1)[1].split("/", 1)[0] if "http://" in line else None
        check("serve prints the viewer's URL", base is not None, line)
        base = f"http://{base}"
        store_level = bamako_level(base)

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--enable-unsafe-swiftshader"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def open_and_wait():
                page.goto(f"{base}/?as_of={AS_OF}")
                page.wait_for_function("window.map && window.map.loaded() && window.map.areTilesLoaded()", timeout=60000)
                page.evaluate("new Promise(r => { window.map.once('idle', r); window.map.triggerRepaint(); })")

            def rendered_level():
                return page.evaluate(
                    """([lon, lat]) => {
                        const f = window.map.queryRenderedFeatures(window.map.project([lon, lat]), {layers: ['regions-fill']});
                        return f.length ? {id: f[0].properties.id, level: f[0].properties.level} : null;
                    }""", BAMAKO)

            open_and_wait()
            check("the viewer loads with no console errors", not errors, "; ".join(errors)[:500])
            legend = page.locator("#legend li").all_inner_texts()
            check("the legend shows the five levels", len(legend) == 5 and any("Extreme" in t for t in legend), str(legend))
            got = rendered_level()
            check(f"the region under Bamako is rendered with the store's level ({store_level})",
                  got is not None and got["id"] == "bamako" and got["level"] == store_level, str(got))
            labels = page.locator(".label").all_inner_texts()
            check("region labels are drawn", any(t.startswith("Bamako") for t in labels) and len(labels) >= 9, str(labels))
            page.mouse.click(*page.evaluate("([lon, lat]) => { const p = window.map.project([lon, lat]); return [p.x, p.y]; }", BAMAKO))
            page.wait_for_selector(".maplibregl-popup .popup", timeout=10000)
            popup = page.locator(".maplibregl-popup .popup").inner_text()
            check("a click shows the level per category and the reason", "Bamako" in popup and "terrorism" in popup and "kidnapping" in popup, popup)
            check("the popup says whether advisories or events set the level", "Set by the advisories" in popup and "events 1" in popup, popup)
            basis = page.locator("#basis").inner_text()
            check("the legend says what sets the levels and over which window",
                  "higher of the advisories and the event record" in basis and "30 days" in basis, basis)

            # A new alert through the API raises Bamako to level 5.
            alert = {
                "id": "viewer-test-bamako", "title": "Mali: Explosions reported near Bamako airport",
                "published": f"{AS_OF}T06:00:00Z", "severity": "Extreme",
                "summary": "Several explosions were reported near Bamako airport early on the day.",
                "places": [{"name": "Bamako", "role": "event"}], "categories": {"terrorism": 5},
            }
            req = urllib.request.Request(f"{base}/alerts", data=json.dumps(alert).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                check("POST /alerts answers 201", r.status == 201, str(r.status))
            new_level = bamako_level(base)
            check("the store now gives Bamako level 5", new_level == 5, str(new_level))
            errors.clear()
            page.reload()
            open_and_wait()
            got = rendered_level()
            check("after a reload the region under Bamako is rendered with level 5", got is not None and got["level"] == 5, str(got))
            check("no console errors after the reload", not errors, "; ".join(errors)[:500])
            page.screenshot(path=os.path.join(tmp, "viewer.png"))
            if os.environ.get("VIEWER_SCREENSHOT"):
                page.screenshot(path=os.environ["VIEWER_SCREENSHOT"])
            browser.close()
    finally:
        code, log = stop(server)
    check("SIGTERM stops the server cleanly and closes the store", code == 0 and "store closed" in log, f"exit {code}: {log[-300:]}")
    check("a log line per request (method, path, status, duration)", " GET /style.json 200 " in log and " ms" in log)

    # MapLibre that cannot be loaded: the page says so, naming --maplibre-url, instead of staying blank.
    server = subprocess.Popen([binary(), "serve", "--port", "0", "--store", store, "--maplibre-url", f"{assets}/missing/maplibre-gl.js"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        base = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(base + "/")
            page.wait_for_selector("#no-maplibre:not([hidden])", timeout=15000)
            message = page.locator("#no-maplibre").inner_text()
            check("without MapLibre the page says why and names --maplibre-url", "--maplibre-url" in message and "missing/maplibre-gl.js" in message, message)
            browser.close()
    finally:
        stop(server)
finish("viewer")
