import ThreatModel

/// The map viewer served at `/`: MapLibre GL JS (from the URL the server is configured with) on
/// the server's own style and tiles, a legend of the five levels, a date control for `as_of`, a
/// popup with a region's level per category from alerts and from events, which of them set it and
/// both reasons, a line under the legend saying what sets the levels, and labels drawn as HTML markers (so
/// that no font server is needed). The map object is `window.map`, for tests.
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
              .popup table { border-collapse: collapse; } .popup td { padding: 1px 6px 1px 0; }
              #no-maplibre { position: absolute; top: 40%; left: 50%; transform: translate(-50%, -50%); max-width: 480px; z-index: 2;
                             background: #fff; border: 2px solid #d73027; border-radius: 6px; padding: 14px 16px; }
              #status, #basis { font-size: 12px; color: #555; margin-top: 6px; }
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

              let markers = [];
              function loadLabels() {
                fetch("/layers/labels" + query()).then((r) => r.json()).then((fc) => {
                  markers.forEach((m) => m.remove());
                  markers = fc.features.filter((f) => f.properties.kind === "region").map((f) => {
                    const el = document.createElement("div");
                    el.className = "label";
                    el.textContent = f.properties.label;
                    return new maplibregl.Marker({ element: el }).setLngLat(f.geometry.coordinates).addTo(map);
                  });
                }).catch((e) => status("labels: " + e));
              }

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
                const table = document.createElement("table");
                const head = table.createTHead().insertRow();
                ["", "level", "events"].forEach((h) => { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
                [["terrorism", "terrorism"], ["kidnapping", "kidnapping"], ["armed conflict", "armed_conflict"],
                 ["crime", "crime"], ["civil unrest", "civil_unrest"]].forEach(([name, key]) => row(table, name, p["level_" + key], p["event_level_" + key]));
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
                [["Advisories: ", p.alert_reason], ["Events: ", p.event_reason]].forEach(([label, text]) => {
                  const reason = document.createElement("p");
                  reason.textContent = label + text;
                  box.appendChild(reason);
                });
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
                status(asOf ? "as of the end of " + asOf + " (UTC)" : "now");
              }
              input.addEventListener("change", () => show(input.value));
              document.getElementById("now").addEventListener("click", () => { input.value = ""; show(""); });
              loadLabels();
              loadBasis();
              status(asOf ? "as of " + asOf : "now");
            })();
            </script>
            </body>
            </html>

            """
    }
}
