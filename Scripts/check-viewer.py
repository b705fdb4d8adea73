#!/usr/bin/env python3
"""The viewer in a real browser: ingests the sample alerts into a scratch store, starts
`threatmap serve` with MapLibre GL JS taken from the PyPI `maplibre` wheel (served from a local
HTTP server; nothing of it is committed), opens the viewer in Debian's chromium driven by PyPI
playwright, waits for the map to be idle, and checks: no console errors, the legend's five levels,
the region under Bamako rendered (map.queryRenderedFeatures) with the level the store gives
(/layers/regions), a page whose MapLibre cannot be loaded saying so and naming --maplibre-url,
a click's popup saying whether advisories or events set the level, the line
under the legend saying what sets levels over which window; then POSTs a new alert through the API, reloads, and sees Bamako's level change;
the basemap drawn from ThreatMap's own tiles, labels that do not overlap, the alert panel (the
active alerts, filters, zoom to a footprint, following the date control), the popup naming the
alert behind a level, the CAP circle drawn as a circle; then SIGTERM stops the server cleanly. Prints "N passed, N failed"; exits 1 on failure.
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

            # The basemap, drawn from ThreatMap's own tiles: land beyond Mali (Mauritania, Senegal),
            # the Niger and the towns' labels.
            drawn = page.evaluate("""() => {
                const m = window.map, c = m.getCanvas();
                const box = [[0, 0], [c.clientWidth, c.clientHeight]];
                const at = (lon, lat, layer) => m.queryRenderedFeatures(m.project([lon, lat]), {layers: [layer]}).length;
                return {land: at(-10.5, 20.5, 'basemap-land') + at(-14.5, 14.5, 'basemap-land'),
                        water: at(-17.5, 14.0, 'basemap-land'),
                        river: m.queryRenderedFeatures(box, {layers: ['basemap-rivers']}).length,
                        borders: m.queryRenderedFeatures(box, {layers: ['basemap-borders']}).length,
                        towns: m.queryRenderedFeatures(box, {layers: ['basemap-towns-1', 'basemap-towns-2']}).length};
            }""")
            check("the basemap is drawn: land beyond Mali, sea off Dakar, the Niger, borders and towns",
                  drawn["land"] == 2 and drawn["water"] == 0 and drawn["river"] > 0 and drawn["borders"] > 0 and drawn["towns"] > 0, str(drawn))
            labels = page.evaluate("""() => Array.from(document.querySelectorAll('.label')).filter(e => e.style.visibility !== 'hidden')
                .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent, kind: e.dataset.kind, l: r.left, r: r.right, t: r.top, b: r.bottom}; })""")
            overlaps = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
                        if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]]
            kinds = {l["kind"] for l in labels}
            check("labels (regions, neighbours, towns) do not overlap at the default view",
                  not overlaps and {"region", "country", "town"} <= kinds and len(labels) >= 12, f"{len(labels)} shown, kinds {kinds}, overlaps {overlaps[:5]}")

            if os.environ.get("VIEWER_SCREENSHOT"):
                page.evaluate("document.querySelectorAll('.maplibregl-popup-close-button').forEach(b => b.click())")
                page.screenshot(path=os.environ["VIEWER_SCREENSHOT"])

            # The alert panel: the alerts active as of the date, filterable, each zooming to its footprint.
            def active(as_of):
                with urllib.request.urlopen(f"{base}/layers/alert_areas?as_of={as_of}") as r:
                    return json.load(r)["features"]
            listed = page.locator("#alert-list li").all_inner_texts()
            expected = active(AS_OF)
            check("the alert panel lists the alerts active as of the date", len(listed) == len(expected) > 0
                  and all(any(f["properties"]["title"] in t for t in listed) for f in expected), f"{listed} vs {[f['properties']['title'] for f in expected]}")
            page.select_option("#alert-category", "kidnapping")
            kidnap = page.locator("#alert-list li").count()
            page.select_option("#alert-category", "")
            page.select_option("#alert-region", "bamako")
            in_bamako = page.locator("#alert-list li").count()
            page.select_option("#alert-region", "")
            check("the panel filters by category and by region",
                  kidnap == sum(f["properties"]["level_kidnapping"] > 1 for f in expected)
                  and in_bamako == sum("bamako" in f["properties"]["regions"].split(",") for f in expected), f"kidnapping {kidnap}, Bamako {in_bamako}")
            before = page.evaluate("window.map.getZoom()")
            page.locator("#alert-list li").first.click()
            page.evaluate("new Promise(r => { if (!window.map.isMoving()) r(); else window.map.once('moveend', r); })")
            page.wait_for_function(f"window.map.getZoom() > {before} + 0.5", timeout=10000)
            check("an alert in the panel zooms the map to its footprint", True)
            page.evaluate("window.map.jumpTo({center: [-3.5, 17], zoom: 4.4})")
            page.evaluate("new Promise(r => { window.map.once('idle', r); window.map.triggerRepaint(); })")

            bamako_alert = next(f["properties"] for f in expected if "bamako" in f["properties"]["regions"].split(","))
            check("the popup names the alert behind a level, with its date and the sentence that placed it",
                  bamako_alert["title"][:60] in popup and "civil unrest 3" in popup and "demonstrations" in popup, popup)

            # The date control: the panel follows it, and the CAP alert's circle is drawn as a circle.
            page.fill("#as-of", "2024-07-03")
            page.dispatch_event("#as-of", "change")
            page.wait_for_function("document.querySelector('#alert-list li') && document.querySelector('#alert-list').innerText.includes('Ménaka')", timeout=20000)
            page.wait_for_function("window.map.loaded() && window.map.areTilesLoaded()", timeout=60000)
            page.evaluate("new Promise(r => { window.map.once('idle', r); window.map.triggerRepaint(); })")
            later = active("2024-07-03")
            listed = page.locator("#alert-list li").all_inner_texts()
            check("the alert panel follows the date control", len(listed) == len(later) and any("Ménaka" in t for t in listed), str(listed))
            cap = next((f for f in later if f["properties"]["format"] == "cap"), None)
            ring = cap["geometry"]["coordinates"][0] if cap and cap["geometry"]["type"] == "Polygon" else []
            if ring:
                cx, cy = sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
                radii = [((p[0] - cx) ** 2 + (p[1] - cy) ** 2) ** 0.5 for p in ring]
                round_enough = max(radii) / min(radii) < 1.1 and max(radii) < 0.5  # a 30 km circle, not Ménaka's whole region
            else:
                round_enough = False
            rendered_cap = page.evaluate("""(id) => window.map.queryRenderedFeatures({layers: ['alert-areas-outline']})
                .filter(f => f.properties.alert_id === id).length""", cap["properties"]["alert_id"] if cap else "")
            check("the CAP alert's 30 km circle is its footprint, drawn as a circle", round_enough and rendered_cap > 0,
                  f"round {round_enough}, rendered {rendered_cap}")
            if os.environ.get("VIEWER_SCREENSHOT"):
                page.mouse.click(*page.evaluate("() => { const p = window.map.project([3.4, 16.2]); return [p.x, p.y]; }"))  # Ménaka
                page.wait_for_selector(".maplibregl-popup .popup", timeout=10000)
                page.screenshot(path=os.environ["VIEWER_SCREENSHOT"].replace(".png", "-popup.png"))
            page.fill("#as-of", AS_OF)
            page.dispatch_event("#as-of", "change")

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
