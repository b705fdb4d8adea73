#!/usr/bin/python3
"""QGIS 3.22 (Debian's python3-qgis, headless) as an outside client: ingests the sample alerts
into a scratch store and starts `threatmap serve` on it (with a glyphs URL, so that its style has
text layers), then checks that QGIS's MapLibre style converter turns the served /style.json into
level colours (not the empty `level IN ()` rules bare-number match labels give) and zone and
region labels; that QGIS's OAPIF provider loads the OGC API - Features collections with their
fields and that `datetime` changes a level; and that QGIS opens every table of a GeoPackage
exported from no store at all (every layer but regions, zones and labels empty) with its fields
and geometry type. Run with Debian's /usr/bin/python3 (QGIS's Python). Prints "N passed, N failed".
Needs: python3-qgis (apt)."""
import glob
import json
import os
import sys
import subprocess
import tempfile
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp())

from qgis.core import (QgsApplication, QgsMapBoxGlStyleConversionContext, QgsMapBoxGlStyleConverter,  # noqa: E402
                       QgsSymbolLayer, QgsVectorLayer, QgsWkbTypes)

from checks import binary, check, root, stop  # noqa: E402

COLOURS = {1: "#1a9850", 2: "#91cf60", 3: "#fee08b", 4: "#fc8d59", 5: "#d73027"}

app = QgsApplication([], False)
app.setPrefixPath("/usr", True)
app.initQgis()

with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store.sqlite")
    subprocess.run([binary(), "ingest", "--store", store, *sorted(glob.glob(str(root / "GeoData/alerts/*")))], capture_output=True)
    server = subprocess.Popen([binary(), "serve", "--port", "0", "--store", store, "--glyphs-url", "http://127.0.0.1:9/{fontstack}/{range}.pbf"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        base = "http://" + line.split("http://", 1)[1].split("/", 1)[0] if "http://" in line else None
        check("serve prints its URL", base is not None, line)

        # The style, as QGIS reads a MapLibre style.
        style = json.load(urllib.request.urlopen(f"{base}/style.json?as_of=2024-07-05"))
        converter = QgsMapBoxGlStyleConverter()
        converter.convert(style, QgsMapBoxGlStyleConversionContext())
        fills = {}
        for s in converter.renderer().styles():
            properties = s.symbol().symbolLayer(0).dataDefinedProperties()
            fills[s.styleName()] = properties.property(QgsSymbolLayer.PropertyFillColor).expressionString()
        expression = fills.get("regions-fill", "")
        check("QGIS reads the regions' fill as the level colours",
              all(f"level IN ({n}) THEN '{c}'" in expression for n, c in COLOURS.items()), expression[:300])
        check("no empty level IN () rule", "IN ()" not in " ".join(fills.values()))
        labels = {s.styleName(): s.labelSettings().fieldName for s in (converter.labeling().styles() if converter.labeling() else [])}
        check("QGIS labels regions with their label and zones with their name",
              labels.get("region-labels") == '"label"' and "name" in labels.get("zone-labels", ""), str(labels))

        # OGC API - Features, as QGIS's OAPIF provider reads it.
        regions = QgsVectorLayer(f"url='{base}?datetime=2024-07-05' typename='regions'", "regions", "OAPIF")
        names = [f.name() for f in regions.fields()]
        check("QGIS loads the regions collection with its 10 features", regions.isValid() and regions.featureCount() == 10,
              f"{regions.isValid()} {regions.featureCount()}")
        check("with its fields, typed (level Integer, diffusion Real)",
              "level" in names and "diffusion" in names
              and regions.fields().field("level").typeName().lower().startswith("int")
              and regions.fields().field("diffusion").typeName().lower() in ("double", "real"),
              str([(f.name(), f.typeName()) for f in regions.fields()][:40]))

        def mopti(day):
            layer = QgsVectorLayer(f"url='{base}?datetime={day}' typename='regions'", "r", "OAPIF")
            return next((f["level"] for f in layer.getFeatures() if f["id"] == "mopti"), None)
        before, after = mopti("2024-05-16"), mopti("2024-07-05")
        check("datetime changes Mopti's level (1 on 2024-05-16, 3 on 2024-07-05)", (before, after) == (1, 3), f"{before} {after}")
        areas = QgsVectorLayer(f"url='{base}?datetime=2024-07-05' typename='alert_areas'", "areas", "OAPIF")
        check("QGIS loads alert_areas as polygons with their fields",
              areas.isValid() and areas.geometryType() == QgsWkbTypes.PolygonGeometry and "expires" in [f.name() for f in areas.fields()])
    finally:
        code, log = stop(server)
    check("serve stops cleanly", code == 0, log[-300:])

    # A GeoPackage of a quiet day: empty tables keep their fields and geometry type.
    gpkg = os.path.join(tmp, "empty.gpkg")
    subprocess.run([binary(), "export", "gpkg", "-o", gpkg, "--store", os.path.join(tmp, "none.sqlite")], check=True, capture_output=True)
    expected = {"regions": (QgsWkbTypes.PolygonGeometry, 10), "zones": (QgsWkbTypes.PolygonGeometry, 4),
                "alert_areas": (QgsWkbTypes.PolygonGeometry, 0), "incidents": (QgsWkbTypes.PointGeometry, 0),
                "labels": (QgsWkbTypes.PointGeometry, 14)}
    for name, (geometry, count) in expected.items():
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        fields = [f.name() for f in layer.fields()]
        check(f"QGIS opens the GeoPackage's {name} ({count} features) with its fields and geometry type",
              layer.isValid() and layer.featureCount() == count and layer.geometryType() == geometry and "level" in fields,
              f"{layer.isValid()} {layer.featureCount()} {layer.geometryType()} {fields[:6]}")

# QGIS 3.22's Python bindings can crash tearing down (exitQgis, or the interpreter freeing layers
# after it): the tally is printed, then the process ends at once with its status.
import checks  # noqa: E402
print(f"qgis: {checks.passed} passed, {checks.failed} failed", flush=True)
sys.stderr.flush()
os._exit(1 if checks.failed else 0)
