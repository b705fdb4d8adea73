/// The OpenAPI 3.1 description of `threatmap serve`, served at `/openapi.json`: every endpoint,
/// parameter, body and error shape. Kept by hand beside the routes (`ThreatRoutes.router`); the
/// test suite runs schemathesis against a live server from this document.
enum OpenAPIDocument {
    static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "ThreatMap",
        "version": "1.0.0",
        "description": "Security threat levels in Mali by region and zone, as GeoJSON layers and Mapbox Vector Tiles, from travel advisories, JSON and CAP alerts and conflict-event tables. Reads need no token; writes need one of the bearer tokens the server was started with (THREATMAP_TOKEN, or the named tokens of THREATMAP_TOKEN_FILE), and each stored document keeps the name of the writer who sent it."
      },
      "servers": [{"url": "/"}],
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
          "z": {"name": "z", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 30}},
          "x": {"name": "x", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
          "y": {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
          "If-None-Match": {"name": "If-None-Match", "in": "header", "required": false, "schema": {"type": "string"}},
          "Accept-Encoding": {"name": "Accept-Encoding", "in": "header", "required": false, "schema": {"type": "string"}},
          "f": {"name": "f", "in": "query", "required": false, "schema": {"enum": ["json", "html"]},
            "description": "The format, where the Accept header does not say (json or html; only / has both)."},
          "collectionId": {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string"},
            "description": "regions, zones, alert_areas, incidents, labels, and cercles where the GeoData has them."},
          "as_of": {
            "name": "as_of", "in": "query", "required": false,
            "description": "The moment to map: now (the default), a day (YYYY-MM-DD, its end in UTC) or an RFC 3339 time with a zone (2024-07-05T12:00:00Z, 2024-07-05T13:00:00+01:00). Anything else is refused (400).",
            "schema": {"type": "string", "pattern": "^(now|[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?)$"},
            "examples": {"day": {"value": "2024-07-05"}, "time": {"value": "2024-07-05T12:00:00Z"}}
          }
        },
        "headers": {
          "ETag": {"description": "A strong tag from the content.", "schema": {"type": "string"}},
          "Cache-Control": {"schema": {"type": "string"}},
          "Vary": {"schema": {"type": "string"}}
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["status", "message"],
              "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}
          },
          "FeatureCollection": {
            "type": "object", "required": ["type", "features"],
            "properties": {"type": {"const": "FeatureCollection"}, "name": {"type": "string"},
              "bbox": {"type": "array", "items": {"type": "number"}},
              "features": {"type": "array", "items": {"type": "object", "required": ["type", "properties", "geometry"],
                "properties": {"type": {"const": "Feature"}, "id": {"type": ["string", "integer"]},
                  "properties": {"type": ["object", "null"]}, "geometry": {"type": ["object", "null"]}}}}}
          },
          "Layer": {
            "type": "object", "required": ["name", "geometry", "fields", "features", "href"],
            "properties": {"name": {"type": "string"}, "description": {"type": "string"},
              "geometry": {"enum": ["Polygon", "Point"]}, "features": {"type": "integer"},
              "fields": {"type": "object", "additionalProperties": {"enum": ["String", "Number", "Boolean"]}},
              "href": {"type": "string"}}
          },
          "TileJSON": {
            "type": "object", "required": ["tilejson", "tiles", "vector_layers"],
            "properties": {"tilejson": {"const": "3.0.0"}, "tiles": {"type": "array", "items": {"type": "string"}},
              "minzoom": {"type": "integer"}, "maxzoom": {"type": "integer"},
              "bounds": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
              "vector_layers": {"type": "array", "items": {"type": "object", "required": ["id", "fields"]}}}
          },
          "Style": {
            "type": "object", "required": ["version", "sources", "layers"],
            "properties": {"version": {"const": 8}, "sources": {"type": "object"}, "layers": {"type": "array"}}
          },
          "Provenance": {
            "type": "object", "required": ["document_id", "name", "format", "sha256", "received_at"],
            "properties": {"document_id": {"type": "integer"}, "name": {"type": "string"}, "format": {"enum": ["text", "json", "cap", "csv"]},
              "sha256": {"type": "string"}, "received_at": {"type": "string"},
              "sender": {"type": ["string", "null"], "description": "The name of the writer's token it came with; null from the command line."}}
          },
          "Alert": {
            "type": "object", "required": ["id", "format", "regions", "zones", "categories", "level", "title"],
            "properties": {
              "id": {"type": "string"}, "format": {"enum": ["text", "json", "cap", "csv"]},
              "regions": {"type": "array", "items": {"type": "string"}}, "zones": {"type": "array", "items": {"type": "string"}},
              "categories": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5}},
              "level": {"type": "integer", "minimum": 1, "maximum": 5}, "level_label": {"type": "string"}, "title": {"type": "string"},
              "state": {"enum": ["active", "superseded", "cancelled", "cancel"]}, "ended_by": {"type": ["string", "null"]},
              "action": {"enum": ["new", "replaced"]},
              "provenance": {"$ref": "#/components/schemas/Provenance"}
            }
          },
          "WriteResult": {
            "type": "object", "required": ["document", "alerts", "incidents", "ended", "tiles_invalidated"],
            "properties": {
              "document": {"type": "object", "required": ["id", "name", "format", "sha256"]},
              "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
              "incidents": {"type": "integer"}, "ended": {"type": "array", "items": {"type": "string"}},
              "tiles_invalidated": {"type": "integer"}, "unchanged": {"type": "boolean"},
              "bad_rows": {"type": "array", "items": {"$ref": "#/components/schemas/RowNote"}},
              "outside_mali": {"type": "array", "items": {"$ref": "#/components/schemas/RowNote"}}
            }
          },
          "Link": {"type": "object", "required": ["href", "rel"],
            "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}},
          "LandingPage": {"type": "object", "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
          "Collection": {"type": "object", "required": ["id", "links"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"}, "itemType": {"const": "feature"},
              "crs": {"type": "array", "items": {"type": "string"}}, "extent": {"type": "object"},
              "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
          "RowNote": {
            "type": "object", "required": ["line", "message"],
            "properties": {"line": {"type": "integer"}, "message": {"type": "string"}}
          }
        },
        "responses": {
          "BadRequest": {"description": "A malformed parameter or body; the message says which and where.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "No such resource.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unauthorized": {"description": "No bearer token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Forbidden": {"description": "A wrong token, or writes disabled (no token configured).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Tile": {"description": "The tile, gzip-encoded when the client accepts it.",
            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}, "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
              "Vary": {"$ref": "#/components/headers/Vary"}},
            "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "contentEncoding": "binary"}}}},
          "NotModified": {"description": "Not modified: the If-None-Match tag is the tile's.", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}
        }
      },
      "paths": {
        "/": {"get": {"summary": "The map viewer (MapLibre GL JS) for a browser; the OGC API - Features landing page for a client asking for JSON (Accept: application/json, or f=json).", "operationId": "viewer",
          "parameters": [{"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "An HTML page, or the landing page's links.", "content": {"text/html": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/LandingPage"}}}}}}},
        "/conformance": {"get": {"summary": "OGC API - Features: the conformance classes (Part 1 core and GeoJSON).", "operationId": "conformance",
          "parameters": [{"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The classes.", "content": {"application/json": {"schema": {"type": "object", "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/collections": {"get": {"summary": "OGC API - Features: the collections, one per layer.", "operationId": "collections",
          "parameters": [{"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The collections.", "content": {"application/json": {"schema": {"type": "object", "required": ["links", "collections"],
            "properties": {"links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}},
              "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/collections/{collectionId}": {"get": {"summary": "OGC API - Features: one collection.", "operationId": "collection",
          "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The collection.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Collection"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/collections/{collectionId}/queryables": {"get": {"summary": "OGC API - Features: the collection's fields and their types (a JSON Schema), the same when it is empty.", "operationId": "queryables",
          "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The queryables.", "content": {"application/schema+json": {"schema": {"type": "object", "required": ["type", "properties"],
            "properties": {"type": {"const": "object"}, "properties": {"type": "object"}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/collections/{collectionId}/schema": {"get": {"summary": "OGC API - Features Part 5: the schema of the collection's features (a JSON Schema), the same when it is empty.", "operationId": "schema",
          "parameters": [{"$ref": "#/components/parameters/collectionId"}, {"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The schema.", "content": {"application/schema+json": {"schema": {"type": "object", "required": ["type", "properties"],
            "properties": {"type": {"const": "object"}, "properties": {"type": "object"}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/collections/{collectionId}/items": {"get": {"summary": "OGC API - Features: the collection's features, a page at a time. Any field of the collection's queryables is also a parameter: its features whose value equals it.", "operationId": "items",
          "parameters": [{"$ref": "#/components/parameters/collectionId"},
            {"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"}, "style": "form", "explode": false,
              "description": "west,south,east,north in degrees (CRS84): features whose box meets it.", "example": "-9,11,-6,14"},
            {"name": "datetime", "in": "query", "required": false, "schema": {"type": "string"},
              "description": "A moment (RFC 3339 date-time, or a date: its end in UTC): the map as of it. Or an interval start/end with .. for an open end: areas as of its end, incidents dated within it."},
            {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
            {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0},
              "description": "How many features to skip; the next link carries it."},
            {"$ref": "#/components/parameters/as_of"}, {"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "A page of features, with numberMatched, numberReturned and next and prev links.",
            "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/collections/{collectionId}/items/{featureId}": {"get": {"summary": "OGC API - Features: one feature.", "operationId": "item",
          "parameters": [{"$ref": "#/components/parameters/collectionId"},
            {"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The feature's id (a region or alert id, an event id, kind:id for labels)."},
            {"name": "datetime", "in": "query", "required": false, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/as_of"},
            {"$ref": "#/components/parameters/f"}],
          "responses": {"200": {"description": "The feature.", "content": {"application/geo+json": {"schema": {"type": "object", "required": ["type", "geometry", "properties"]}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/healthz": {"get": {"summary": "Liveness, with what the store holds; degraded (still 200, cached maps served) with why while the store is out of reach.", "operationId": "health",
          "responses": {"200": {"description": "OK, or degraded.", "content": {"application/json": {"schema": {"type": "object", "required": ["status"],
            "properties": {"status": {"enum": ["ok", "degraded"]}, "store": {"type": "string"}, "documents": {"type": "integer"}, "alerts": {"type": "integer"},
              "incidents": {"type": "integer"}, "cached_tiles": {"type": "integer"}}}}}}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4): requests by route, method and status, latency, tile cache hits and misses, documents stored, unchanged and refused, alerts and incidents stored, store errors, what the store holds.", "operationId": "metrics",
          "responses": {"200": {"description": "The metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This document.", "operationId": "openapi",
          "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/layers": {"get": {"summary": "The layers with their fields.", "operationId": "listLayers",
          "parameters": [{"$ref": "#/components/parameters/as_of"}],
          "responses": {
            "200": {"description": "The layers.", "content": {"application/json": {"schema": {"type": "object", "required": ["as_of", "layers"],
              "properties": {"as_of": {"type": "string"}, "layers": {"type": "array", "items": {"$ref": "#/components/schemas/Layer"}}}}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/layers/{name}": {"get": {"summary": "A layer as RFC 7946 GeoJSON.", "operationId": "getLayer",
          "parameters": [
            {"name": "name", "in": "path", "required": true, "schema": {"type": "string"},
              "description": "regions, zones, alert_areas, incidents or labels."},
            {"$ref": "#/components/parameters/as_of"},
            {"name": "bbox", "in": "query", "required": false, "schema": {"type": "string"},
              "description": "west,south,east,north in degrees: only features whose box meets it.", "example": "-9,11,-6,14"}],
          "responses": {
            "200": {"description": "A FeatureCollection.", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/tiles.json": {"get": {"summary": "TileJSON 3.0.0 with absolute tile URLs (carrying as_of).", "operationId": "tileJSON",
          "parameters": [{"$ref": "#/components/parameters/as_of"}],
          "responses": {
            "200": {"description": "TileJSON.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TileJSON"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/style.json": {"get": {"summary": "A MapLibre style on the tiles, coloured by level.", "operationId": "style",
          "parameters": [{"$ref": "#/components/parameters/as_of"}],
          "responses": {
            "200": {"description": "A style (version 8).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Style"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}}},
        "/tiles/{z}/{x}/{y}.mvt": {"get": {"summary": "A Mapbox Vector Tile, made on demand and cached.", "operationId": "getTile",
          "parameters": [
            {"name": "z", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 30},
              "description": "The zoom; tiles exist from 0 to the server's --maxzoom (default 12)."},
            {"name": "x", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}, "description": "Column, below 2^z."},
            {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}, "description": "Row, below 2^z, from the north."},
            {"$ref": "#/components/parameters/as_of"},
            {"name": "If-None-Match", "in": "header", "required": false, "schema": {"type": "string"}},
            {"name": "Accept-Encoding", "in": "header", "required": false, "schema": {"type": "string"}}],
          "responses": {
            "200": {"description": "The tile, gzip-encoded when the client accepts it.",
              "headers": {"ETag": {"$ref": "#/components/headers/ETag"}, "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
                "Vary": {"$ref": "#/components/headers/Vary"}},
              "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "contentEncoding": "binary"}}}},
            "204": {"description": "An empty tile: nothing lands in it."},
            "304": {"description": "Not modified: the If-None-Match tag is the tile's.", "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}},
            "400": {"$ref": "#/components/responses/BadRequest"},
            "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/basemap.json": {"get": {"summary": "TileJSON 3.0.0 of the basemap: land, lakes, coastline, borders, neighbours, rivers and towns.", "operationId": "basemapTileJSON",
          "responses": {"200": {"description": "TileJSON.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TileJSON"}}}},
            "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/basemap/{z}/{x}/{y}.mvt": {"get": {"summary": "A basemap tile (layer basemap, each feature with a kind), the same for every date.", "operationId": "basemapTile",
          "parameters": [
            {"$ref": "#/components/parameters/z"}, {"$ref": "#/components/parameters/x"}, {"$ref": "#/components/parameters/y"},
            {"$ref": "#/components/parameters/If-None-Match"}, {"$ref": "#/components/parameters/Accept-Encoding"}],
          "responses": {
            "200": {"$ref": "#/components/responses/Tile"},
            "204": {"description": "Nothing of the basemap lands in it."},
            "304": {"$ref": "#/components/responses/NotModified"},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/archives": {"get": {"summary": "The tile sets exported earlier that serve was started with (--tiles).", "operationId": "listArchives",
          "responses": {"200": {"description": "The archives.", "content": {"application/json": {"schema": {"type": "object", "required": ["archives"],
            "properties": {"archives": {"type": "array", "items": {"type": "object", "required": ["name", "tilejson"],
              "properties": {"name": {"type": "string"}, "file": {"type": "string"}, "tilejson": {"type": "string"}, "as_of": {"type": ["string", "null"]}}}}}}}}}}}},
        "/archives/{name}/tiles.json": {"get": {"summary": "An archive's TileJSON 3.0.0, from its own metadata.", "operationId": "archiveTileJSON",
          "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "TileJSON.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TileJSON"}}}},
            "404": {"$ref": "#/components/responses/NotFound"}}}},
        "/archives/{name}/tiles/{z}/{x}/{y}.mvt": {"get": {"summary": "A tile of an archive, as the live tiles are answered.", "operationId": "archiveTile",
          "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
            {"$ref": "#/components/parameters/z"}, {"$ref": "#/components/parameters/x"}, {"$ref": "#/components/parameters/y"},
            {"$ref": "#/components/parameters/If-None-Match"}, {"$ref": "#/components/parameters/Accept-Encoding"}],
          "responses": {
            "200": {"$ref": "#/components/responses/Tile"},
            "204": {"description": "The archive holds no such tile."},
            "304": {"$ref": "#/components/responses/NotModified"},
            "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"},
            "500": {"description": "The archive is damaged where this tile lies; the message says what and where.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
        "/alerts": {
          "get": {"summary": "Every stored alert, with its state and provenance.", "operationId": "listAlerts",
            "responses": {"200": {"description": "The alerts.", "content": {"application/json": {"schema": {"type": "object", "required": ["alerts"],
              "properties": {"alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}}}}}}},
          "post": {"summary": "Ingest an alert: advisory text, JSON, CAP 1.2 XML or an event CSV (by Content-Type, else detected).",
            "operationId": "postAlert", "security": [{"bearer": []}],
            "parameters": [{"name": "X-Filename", "in": "header", "required": false, "schema": {"type": "string"},
              "description": "The name the stored document keeps (its provenance); default \"POST /alerts\"."}],
            "requestBody": {"required": true, "content": {
              "text/plain": {"schema": {"type": "string", "minLength": 1}},
              "application/json": {"schema": {"type": ["object", "array"]},
                "description": "Our JSON alert format (GeoData/schemas/alert.schema.json in the repository): an alert or a list of them."},
              "application/cap+xml": {"schema": {"type": "string", "minLength": 1}}, "text/csv": {"schema": {"type": "string", "minLength": 1}}}},
            "responses": {
              "201": {"description": "Stored: what the alert became.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WriteResult"}}}},
              "200": {"description": "The same bytes were already stored; nothing changed.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WriteResult"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
              "403": {"$ref": "#/components/responses/Forbidden"},
              "408": {"description": "The body took longer than the server's --body-seconds to arrive; the connection is closed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "413": {"description": "The body is over the server's limit (refused while it streams); the connection is closed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "422": {"description": "Reading the document took longer than the server's --read-seconds; nothing was stored.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
        },
        "/alerts/{id}": {
          "get": {"summary": "One alert, with its state and provenance.", "operationId": "getAlert",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The alert.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}}},
              "404": {"$ref": "#/components/responses/NotFound"}}},
          "delete": {"summary": "Cancel an active alert (stored as a cancel message of its own).", "operationId": "cancelAlert",
            "security": [{"bearer": []}],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {"description": "Cancelled.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WriteResult"}}}},
              "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "409": {"description": "The alert is not active.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
        }
      }
    }
    """#
}
