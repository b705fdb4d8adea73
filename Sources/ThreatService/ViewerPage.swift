import ThreatModel

/// The map viewer served at `/`: MapLibre GL JS (from the URL the server is configured with) on
/// the server's own style and tiles, a legend of the five levels, a date control for `as_of`, a
/// popup with a region's level per category and the reasons, and labels drawn as HTML markers (so
/// that no font server is needed). The map object is `window.map`, for tests.
enum ViewerPage {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
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
              #status { font-size: 12px; color: #555; margin-top: 6px; }
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
              <div id="status"></div>
            </div>
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

              function row(table, name, value) {
                const tr = table.insertRow();
                tr.insertCell().textContent = name;
                tr.insertCell().textContent = value;
              }

              map.on("click", "regions-fill", (e) => {
                const p = e.features[0].properties;
                const box = document.createElement("div");
                box.className = "popup";
                const title = document.createElement("strong");
                title.textContent = p.name + ": level " + p.level + " (" + p.level_label + ")";
                box.appendChild(title);
                const table = document.createElement("table");
                [["terrorism", "level_terrorism"], ["kidnapping", "level_kidnapping"], ["armed conflict", "level_armed_conflict"],
                 ["crime", "level_crime"], ["civil unrest", "level_civil_unrest"]].forEach(([name, key]) => row(table, name, p[key]));
                row(table, "alerts", p.alert_count);
                if (p.latest_update) row(table, "latest update", p.latest_update);
                box.appendChild(table);
                const reason = document.createElement("p");
                reason.textContent = p.reason;
                box.appendChild(reason);
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
                status(asOf ? "as of the end of " + asOf + " (UTC)" : "now");
              }
              input.addEventListener("change", () => show(input.value));
              document.getElementById("now").addEventListener("click", () => { input.value = ""; show(""); });
              loadLabels();
              status(asOf ? "as of " + asOf : "now");
            })();
            </script>
            </body>
            </html>

            """
    }
}
