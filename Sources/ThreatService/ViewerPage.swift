import ThreatModel

/// The map viewer served at `/`: MapLibre GL JS (from the URL the server is configured with) on
/// the server's own style, tiles and basemap, a legend of the five levels, a date control for
/// `as_of`, a popup with a region's level per category from alerts and from events, which of them
/// set it and, per category, the alert (title, source, date) and the words that placed it; a panel
/// of the active alerts filtered by category and region, each zooming to its footprint; a line
/// under the legend saying what sets the levels; and labels (regions, neighbours, towns) drawn as
/// HTML markers, so that no font server is needed, placed by priority without overlap. The map
/// object is `window.map`, for tests.
enum ViewerPage {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Text safe inside a JavaScript string literal in double quotes within a script element
    /// (no quote, backslash, line break or `<` that could end it).
    static func jsString(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func html(maplibreURL: String, maplibreCSSURL: String) -> String {
        let legend = ThreatLevel.allCases.reversed().map { l in
            "<li><span class=\"swatch\" style=\"background:\(l.colour)\"></span>\(l.rawValue) \(escape(l.label))</li>"
        }.joined(separator: "\n        ")
        let colours = ThreatLevel.allCases.map { "\($0.rawValue): \"\($0.colour)\"" }.joined(separator: ", ")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ThreatMap: Mali</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="\(escape(maplibreCSSURL))">
            <style>
              html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; }
              #map { position: absolute; inset: 0; }
              .panel { position: absolute; top: 10px; left: 10px; z-index: 1; background: #fffe; padding: 10px 12px;
                       border-radius: 6px; box-shadow: 0 1px 4px #0004; max-width: 240px; }
              .panel h1 { font-size: 16px; margin: 0 0 6px; }
              .panel ul { list-style: none; margin: 8px 0 0; padding: 0; }
              .panel li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
              .swatch { width: 16px; height: 12px; border: 1px solid #555; display: inline-block; }
              .label { font-size: 12px; font-weight: 600; color: #222; text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
              .popup { max-height: 40vh; overflow-y: auto; } .popup table { border-collapse: collapse; } .popup td { padding: 1px 6px 1px 0; }
              #no-maplibre { position: absolute; top: 40%; left: 50%; transform: translate(-50%, -50%); max-width: 480px; z-index: 2;
                             background: #fff; border: 2px solid #d73027; border-radius: 6px; padding: 14px 16px; }
              #status, #basis { font-size: 12px; color: #555; margin-top: 6px; }
              .maplibregl-popup { z-index: 3; }
              .label.town { font-weight: 400; font-size: 11px; color: #333; transform: translate(8px, 0); }
              .label.country { font-weight: 400; font-size: 12px; letter-spacing: 0.12em; text-transform: uppercase; color: #777; }
              #alerts { left: auto; right: 50px; max-width: 300px; width: 300px; max-height: calc(100% - 60px); overflow: auto; }
              #alerts h2 { font-size: 14px; margin: 0 0 6px; } #alerts select { max-width: 130px; }
              #alert-list { list-style: none; padding: 0; margin: 8px 0 0; }
              #alert-list li { display: block; margin: 0 0 6px; padding: 4px 6px; border-left: 6px solid #ccc; cursor: pointer; background: #fff; }
              #alert-list li:hover { background: #eef3f7; } #alert-list .meta { font-size: 11px; color: #555; }
              .popup th { text-align: left; font-weight: 600; padding: 1px 6px 1px 0; } .popup p { margin: 4px 0; max-width: 320px; }
            </style>
            </head>
            <body>
            <div id="map"></div>
            <div class="panel">
              <h1>ThreatMap: Mali</h1>
              <label>As of <input type="date" id="as-of"></label>
              <button type="button" id="now">Now</button>
              <ul id="legend">
                    \(legend)
              </ul>
              <div id="basis"></div>
              <div id="status"></div>
            </div>
            <div class="panel" id="alerts">
              <h2>Active alerts <span id="alert-count"></span></h2>
              <label>Category <select id="alert-category"><option value="">all</option>
                <option value="terrorism">terrorism</option><option value="kidnapping">kidnapping</option>
                <option value="armed_conflict">armed conflict</option><option value="crime">crime</option>
                <option value="civil_unrest">civil unrest</option></select></label>
              <label>Region <select id="alert-region"><option value="">all</option></select></label>
              <ul id="alert-list"></ul>
            </div>
            <div id="no-maplibre" role="alert" hidden></div>
            <script src="\(escape(maplibreURL))"></script>
            <script>
            (function () {
              "use strict";
              const params = new URLSearchParams(location.search);
              let asOf = params.get("as_of") || "";
              const input = document.getElementById("as-of");
              input.value = /^\\d{4}-\\d{2}-\\d{2}$/.test(asOf) ? asOf : "";
              const query = () => (asOf ? "?as_of=" + encodeURIComponent(asOf) : "");
              const styleURL = () => location.origin + "/style.json" + query();
              const status = (text) => { document.getElementById("status").textContent = text; };
              if (typeof maplibregl === "undefined") {
                // The script did not load (no network, a wrong URL): say so, and how to fix it.
                const box = document.getElementById("no-maplibre");
                box.hidden = false;
                box.textContent = "The map cannot be drawn: MapLibre GL JS did not load from \(jsString(maplibreURL)). " +
                  "Start threatmap serve with --maplibre-url pointing at a maplibre-gl.js this browser can reach " +
                  "(a local copy works offline). The layers are still at /layers and /collections.";
                return;
              }

              const map = new maplibregl.Map({ container: "map", style: styleURL(), center: [-3.5, 17], zoom: 4.4 });
              map.addControl(new maplibregl.NavigationControl());
              window.map = map;

              // Labels are HTML markers (no font server needed), placed in order of priority (regions,
              // then neighbours, then towns by size) and hidden where they would overlap one placed
              // before, or where a town's size is not shown at this zoom.
              let regionLabels = [], baseLabels = new Map();
              function marker(text, lngLat, kind, priority, minzoom) {
                const el = document.createElement("div");
                el.className = "label " + kind;
                el.dataset.kind = kind;
                el.textContent = text;
                const m = new maplibregl.Marker({ element: el, anchor: kind === "town" ? "left" : "center" }).setLngLat(lngLat).addTo(map);
                return { marker: m, el: el, priority: priority, minzoom: minzoom || 0 };
              }
              function placeLabels() {
                const zoom = map.getZoom(), size = map.getContainer().getBoundingClientRect();
                const all = regionLabels.concat(Array.from(baseLabels.values())).sort((a, b) => a.priority - b.priority);
                all.forEach((l) => { l.el.style.visibility = zoom >= l.minzoom ? "visible" : "hidden"; });
                const placed = [];
                all.forEach((l) => {
                  if (l.el.style.visibility === "hidden") return;
                  const r = l.el.getBoundingClientRect();
                  const off = r.right < size.left || r.left > size.right || r.bottom < size.top || r.top > size.bottom;
                  const hit = placed.some((p) => r.left < p.right + 2 && r.right + 2 > p.left && r.top < p.bottom + 1 && r.bottom + 1 > p.top);
                  if (off || hit) { l.el.style.visibility = "hidden"; return; }
                  placed.push(r);
                });
              }
              function loadBaseLabels() {
                if (!map.getSource("basemap")) return;
                let added = false;
                map.querySourceFeatures("basemap", { sourceLayer: "basemap" }).forEach((f) => {
                  const p = f.properties;
                  if ((p.kind !== "town" && p.kind !== "country") || f.geometry.type !== "Point") return;
                  const key = p.kind + ":" + p.name;
                  if (baseLabels.has(key)) return;
                  const priority = p.kind === "country" ? 1 : 1 + p.rank;
                  baseLabels.set(key, marker(p.name, f.geometry.coordinates, p.kind, priority, p.kind === "town" ? p.minzoom : 0));
                  added = true;
                });
                if (added) placeLabels();
              }
              function loadLabels() {
                fetch("/layers/labels" + query()).then((r) => r.json()).then((fc) => {
                  regionLabels.forEach((l) => l.marker.remove());
                  const regions = fc.features.filter((f) => f.properties.kind === "region");
                  regionLabels = regions.map((f) => marker(f.properties.label, f.geometry.coordinates, "region", 0));
                  const select = document.getElementById("alert-region");
                  if (select.options.length === 1) {
                    regions.map((f) => f.properties).sort((a, b) => a.name.localeCompare(b.name)).forEach((p) => {
                      const o = document.createElement("option");
                      o.value = p.id;
                      o.textContent = p.name;
                      select.appendChild(o);
                    });
                  }
                  placeLabels();
                }).catch((e) => status("labels: " + e));
              }
              map.on("moveend", placeLabels);
              map.on("idle", loadBaseLabels);

              // The active alerts as of the date, from the alert_areas layer: filtered by category
              // and region, each zooming to its footprint.
              const colours = { \(colours) };
              let alertAreas = [];
              function bounds(geometry) {
                const b = new maplibregl.LngLatBounds();
                const walk = (c) => { if (typeof c[0] === "number") b.extend(c); else c.forEach(walk); };
                walk(geometry.coordinates);
                return b;
              }
              function showAlerts() {
                const category = document.getElementById("alert-category").value;
                const region = document.getElementById("alert-region").value;
                const list = document.getElementById("alert-list");
                list.replaceChildren();
                const shown = alertAreas.filter((f) => {
                  const p = f.properties;
                  return (!category || p["level_" + category] > 1) && (!region || (p.regions || "").split(",").includes(region));
                });
                document.getElementById("alert-count").textContent = "(" + shown.length + " of " + alertAreas.length + ")";
                shown.forEach((f) => {
                  const p = f.properties;
                  const li = document.createElement("li");
                  li.style.borderLeftColor = colours[p.level] || "#ccc";
                  li.dataset.alertId = p.alert_id;
                  const title = document.createElement("div");
                  title.textContent = p.title;
                  const meta = document.createElement("div");
                  meta.className = "meta";
                  meta.textContent = "level " + p.level + " (" + p.level_label + "), " + (p.categories || "").split("_").join(" ") +
                    (p.published ? "; " + p.published.slice(0, 10) : "") + (p.sources ? "; " + p.sources : "");
                  li.append(title, meta);
                  li.addEventListener("click", () => map.fitBounds(bounds(f.geometry), { padding: 60, maxZoom: 9 }));
                  list.appendChild(li);
                });
              }
              function loadAlerts() {
                fetch("/layers/alert_areas" + query()).then((r) => r.json()).then((fc) => {
                  alertAreas = fc.features.slice().sort((a, b) => b.properties.level - a.properties.level ||
                    (b.properties.published || "").localeCompare(a.properties.published || ""));
                  showAlerts();
                }).catch((e) => status("alerts: " + e));
              }
              document.getElementById("alert-category").addEventListener("change", showAlerts);
              document.getElementById("alert-region").addEventListener("change", showAlerts);

              function row(table, ...cells) {
                const tr = table.insertRow();
                cells.forEach((c) => { tr.insertCell().textContent = c; });
              }

              // What sets the levels, from the TileJSON's levels and window members.
              const sources = { both: "the higher of the advisories and the event record", alerts: "the advisories only", events: "the event record only" };
              function loadBasis() {
                fetch("/tiles.json" + query()).then((r) => r.json()).then((t) => {
                  const days = t.window_days ? " (events of the " + t.window_days + " days to the date)" : "";
                  document.getElementById("basis").textContent = "Level: " + (sources[t.levels] || t.levels) + days;
                }).catch((e) => status("tiles.json: " + e));
              }
              const said = { alerts: "the advisories", events: "the event record", both: "the advisories and the event record alike", none: "nothing: no active alert, no event" };

              const categories = [["terrorism", "terrorism"], ["kidnapping", "kidnapping"], ["armed conflict", "armed_conflict"],
                                  ["crime", "crime"], ["civil unrest", "civil_unrest"]];
              map.on("click", "regions-fill", (e) => {
                const p = e.features[0].properties;
                const box = document.createElement("div");
                box.className = "popup";
                const title = document.createElement("strong");
                title.textContent = p.name + ": level " + p.level + " (" + p.level_label + ")";
                box.appendChild(title);
                const setBy = document.createElement("p");
                setBy.textContent = "Set by " + (said[p.level_source] || p.level_source) + " (advisories " + p.alert_level + ", events " + p.event_level + ")";
                box.appendChild(setBy);
                // Per category above level 1, what set it: the alert's title, source and date and
                // the sentence or area that placed it, or the event record.
                let reasons = 0;
                categories.forEach(([name, key]) => {
                  const text = p["reason_" + key];
                  if (!text) return;
                  const reason = document.createElement("p");
                  reason.className = "reason";
                  const head = document.createElement("strong");
                  head.textContent = name + " " + p["level_" + key] + ": ";
                  reason.append(head, text);
                  box.appendChild(reason);
                  reasons += 1;
                });
                if (!reasons) {
                  const none = document.createElement("p");
                  none.textContent = "No active alert names this region, and no event in the window reached a level.";
                  box.appendChild(none);
                }
                const table = document.createElement("table");
                const head = table.createTHead().insertRow();
                ["", "level", "events"].forEach((h) => { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
                categories.forEach(([name, key]) => row(table, name, p["level_" + key], p["event_level_" + key]));
                box.appendChild(table);
                const facts = document.createElement("table");
                row(facts, "active alerts", p.alert_count);
                if (p.latest_update) row(facts, "latest update", p.latest_update);
                if (p.events !== undefined) {
                  row(facts, "events in the window", p.events);
                  row(facts, "fatalities", p.fatalities);
                  row(facts, "against civilians", p.civilian_events);
                  row(facts, "area with events", Math.round(p.diffusion * 1000) / 10 + "%");
                }
                box.appendChild(facts);
                new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(box).addTo(map);
              });
              map.on("mouseenter", "regions-fill", () => { map.getCanvas().style.cursor = "pointer"; });
              map.on("mouseleave", "regions-fill", () => { map.getCanvas().style.cursor = ""; });
              map.on("error", (e) => status("map: " + (e.error && e.error.message || e)));

              function show(value) {
                asOf = value;
                const url = new URL(location.href);
                if (asOf) url.searchParams.set("as_of", asOf); else url.searchParams.delete("as_of");
                history.replaceState(null, "", url);
                map.setStyle(styleURL());
                loadLabels();
                loadBasis();
                loadAlerts();
                status(asOf ? "as of the end of " + asOf + " (UTC)" : "now");
              }
              input.addEventListener("change", () => show(input.value));
              document.getElementById("now").addEventListener("click", () => { input.value = ""; show(""); });
              loadLabels();
              loadBasis();
              loadAlerts();
              status(asOf ? "as of " + asOf : "now");
            })();
            </script>
            </body>
            </html>

            """
    }
}
