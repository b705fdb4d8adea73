#!/usr/bin/env python3
"""Writes N synthetic ACLED-style event rows (the full column set of ACLED's exports), their
points clustered on Malian towns from the gazetteer, for benchmarks. Deterministic (seeded).
Usage: make_events.py N OUT GAZETTEER [FIRST_DAY LAST_DAY]; dates are spread over 2024 unless a
range (YYYY-MM-DD) is given."""
import datetime
import csv
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
gazetteer = sys.argv[3]
first = datetime.date.fromisoformat(sys.argv[4]) if len(sys.argv) > 5 else datetime.date(2024, 1, 1)
last = datetime.date.fromisoformat(sys.argv[5]) if len(sys.argv) > 5 else datetime.date(2024, 12, 28)
rng = random.Random(42)
towns = []
with open(gazetteer, encoding="utf-8") as f:
    for row in csv.DictReader(f):
        towns.append((row["name"], float(row["lon"]), float(row["lat"]), row["region"]))
types = [
    ("Battles", "Armed clash"), ("Violence against civilians", "Attack"),
    ("Violence against civilians", "Abduction/forced disappearance"), ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Air/drone strike"), ("Protests", "Peaceful protest"), ("Riots", "Violent demonstration"),
    ("Strategic developments", "Looting/property destruction"),
]
actors = ["JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)", "Military Forces of Mali (2021-)",
          "Unidentified Armed Group (Mali)", "Protesters (Mali)", "Dan Na Ambassagou"]
header = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
          "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region",
          "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
          "source_scale", "notes", "fatalities", "tags", "timestamp"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for i in range(n):
        name, lon, lat, region = rng.choice(towns)
        lon += rng.gauss(0, 0.15)
        lat += rng.gauss(0, 0.15)
        et, st = rng.choice(types)
        date = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
        day, month = date.day, date.month
        fatalities = rng.choice([0, 0, 0, 1, 2, 5, 12])
        w.writerow([f"MLI{i + 1:06d}", date.isoformat(), date.year, 1, "Political violence", et, st, rng.choice(actors), "", 2,
                    rng.choice(actors), "", 1, 12, "", 466, "Western Africa", "Mali", region.capitalize(), name, name, name,
                    f"{lat:.4f}", f"{lon:.4f}", 1, "Synthetic source", "Subnational",
                    f"On {date.isoformat()}, a synthetic event near {name}, with a comma in the notes.", fatalities, "", 1700000000 + i])
