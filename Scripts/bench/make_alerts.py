#!/usr/bin/env python3
"""Writes N synthetic alerts in ThreatMap's JSON (one array), dated in the DAYS days before
AS_OF, naming gazetteer towns, regions, zones and circles, for benchmarks. Deterministic."""
import csv
import datetime
import json
import random
import sys

n, out, gazetteer, as_of, days = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
rng = random.Random(7)
towns = [r for r in csv.DictReader(open(gazetteer, encoding="utf-8"))]
regions = sorted({t["region"] for t in towns})
end = datetime.datetime.fromisoformat(as_of + "T23:00:00+00:00")
categories = ["terrorism", "kidnapping", "armed_conflict", "crime", "civil_unrest"]
alerts = []
for i in range(n):
    town = rng.choice(towns)
    published = end - datetime.timedelta(seconds=rng.randint(0, days * 86400))
    places = [{"name": town["name"], "role": "event"}]
    r = rng.random()
    if r < 0.2:
        places.append({"region": rng.choice(regions), "role": "threat"})
    elif r < 0.3:
        places.append({"zone": rng.choice(["northern", "central", "bamako", "southern"]), "role": "threat"})
    elif r < 0.5:
        other = rng.choice(towns)
        places.append({"lon": float(other["lon"]), "lat": float(other["lat"]), "radius_km": rng.choice([5, 10, 25]), "role": "threat"})
    alerts.append({
        "id": f"bench-{i:05d}",
        "title": f"Mali: synthetic alert {i} near {town['name']}",
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "severity": rng.choice(["Notice", "Warning", "Critical"]),
        "summary": f"Synthetic event near {town['name']}.",
        "places": places,
        "categories": {c: rng.randint(2, 5) for c in rng.sample(categories, rng.randint(1, 3))},
    })
json.dump(alerts, open(out, "w", encoding="utf-8"))
