-- tilemaker process file for Scripts/bench-tiles.sh. Every layer comes from a shapefile named in
-- the config, with all its columns ("source_columns": true), so no OSM tag is read; tilemaker
-- still requires node_keys and the node and way functions.
node_keys = {}

function node_function(node)
end

function way_function(way)
end

-- Shapefile field names are cut to 10 characters: give back the names the other tools write.
local full_names = {
  level_labe = "level_label", level_terr = "level_terrorism", level_kidn = "level_kidnapping",
  level_arme = "level_armed_conflict", level_crim = "level_crime", level_civi = "level_civil_unrest",
  alert_coun = "alert_count", latest_upd = "latest_update", expires_gi = "expires_given",
  sub_event_ = "sub_event_type", source_ale = "source_alert",
}

-- Called for every shapefile feature. Going through Lua also makes tilemaker 2.2 write numbers as
-- floats, which it shares between features of a tile; the integers and doubles it writes without
-- this function are never matched, so each one adds a value to the tile and a scan of all its
-- values. A shapefile has no null: an empty string is one, and is left out as GeoJSON's null is.
function attribute_function(attr, layer)
  local out = {}
  for key, value in pairs(attr) do
    if value ~= "" then out[full_names[key] or key] = value end
  end
  return out
end
