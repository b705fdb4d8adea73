#!/usr/bin/env python3
"""Outside readers on every layer: ingests our sample alerts into a scratch store, exports all
layers as of several dates with the built threatmap, then for each file checks that GDAL
(`ogrinfo -al -so`) loads it with the expected count, and that geopandas (PyPI) reads the same
count, finds every geometry valid (shapely `is_valid`) and every polygon's exterior ring
counter-clockwise; then that geopandas reads the same map exported as one GeoPackage, table by
table, with the same counts. Prints "N passed, N failed"."""
import glob
import json
import os
import pathlib
import subprocess
import tempfile

import geopandas
import shapely

from checks import binary, check, finish, root



def exteriors_ccw(geom):
    polys = [geom] if geom.geom_type == "Polygon" else list(geom.geoms) if geom.geom_type == "MultiPolygon" else []
    return all(shapely.is_ccw(p.exterior) and all(not shapely.is_ccw(h) for h in p.interiors) for p in polys)


with tempfile.TemporaryDirectory() as tmp:
    store = os.path.join(tmp, "store.sqlite")
    files = sorted(glob.glob(str(root / "GeoData/alerts/*")))
    subprocess.run([binary(), "ingest", "--store", store, *files], capture_output=True)  # the sample table has bad rows on purpose
    for day in ["2024-05-16", "2024-07-05", "2025-02-04"]:
        out = os.path.join(tmp, day)
        subprocess.run([binary(), "export", "geojson", "--all", "-o", out, "--as-of", day, "--store", store], check=True, capture_output=True)
        for path in sorted(glob.glob(os.path.join(out, "*.geojson"))):
            layer = pathlib.Path(path).stem
            expected = len(json.load(open(path))["features"])
            info = subprocess.run(["ogrinfo", "-al", "-so", path], capture_output=True, text=True)
            check(f"{day} {layer}: ogrinfo loads it", info.returncode == 0 and f"Layer name: {layer}" in info.stdout, info.stderr[:200])
            check(f"{day} {layer}: ogrinfo counts {expected}", f"Feature Count: {expected}\n" in info.stdout)
            frame = geopandas.read_file(path)
            check(f"{day} {layer}: geopandas counts {expected}", len(frame) == expected, str(len(frame)))
            geoms = [g for g in frame.geometry if g is not None]
            check(f"{day} {layer}: every geometry valid", all(shapely.is_valid(g) for g in geoms),
                  "; ".join(shapely.is_valid_reason(g) for g in geoms if not shapely.is_valid(g))[:200])
            check(f"{day} {layer}: exteriors counter-clockwise", all(exteriors_ccw(g) for g in geoms))
            if layer in ("regions", "zones"):
                check(f"{day} {layer}: level is an integer 1-5", str(frame["level"].dtype).startswith("int") and frame["level"].between(1, 5).all())
                check(f"{day} {layer}: WGS 84", frame.crs is not None and frame.crs.to_epsg() == 4326)
                document = json.load(open(path))
                check(f"{day} {layer}: says its moment (as_of, window)", document.get("as_of", "").startswith(day)
                      and document.get("window", "").endswith(document.get("as_of", "?")) and document.get("levels") == "both")
            if layer == "regions":
                fields = {"event_level": "Integer", "fatalities": "Integer", "civilian_events": "Integer", "level_source": "String",
                          "civilian_share": "Real", "diffusion": "Real", "intensity_terrorism": "Real"}
                wrong = [f"{k} is not {t}" for k, t in fields.items() if f"\n{k}: {t} " not in info.stdout]
                check(f"{day} {layer}: GDAL types the indicators (whole counts Integer, shares Real)", not wrong, "; ".join(wrong))
                check(f"{day} {layer}: diffusion is a share 0-1", frame["diffusion"].between(0, 1).all())
        # The same map as one GeoPackage: geopandas reads each table with the GeoJSON's count and types.
        gpkg = os.path.join(tmp, f"{day}.gpkg")
        subprocess.run([binary(), "export", "gpkg", "-o", gpkg, "--as-of", day, "--store", store], check=True, capture_output=True)
        for path in sorted(glob.glob(os.path.join(out, "*.geojson"))):
            layer = pathlib.Path(path).stem
            table = geopandas.read_file(gpkg, layer=layer)
            expected = len(json.load(open(path))["features"])
            check(f"{day} {layer}: the GeoPackage table holds the same {expected} features", len(table) == expected, str(len(table)))
            check(f"{day} {layer}: the GeoPackage table is in WGS 84", table.crs is not None and table.crs.to_epsg() == 4326)
            if "level" in table.columns:
                check(f"{day} {layer}: the GeoPackage's level is an integer column", str(table["level"].dtype).startswith("int"))
finish("layers")
