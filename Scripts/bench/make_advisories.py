#!/usr/bin/env python3
"""Writes N distinct advisory texts, in English and French, in the styles ThreatMap reads
(event alerts with sections, national travel advisories with levels per region, press items),
for Scripts/bench-reading.sh. Usage: make_advisories.py N OUT_DIR GAZETTEER_CSV
The texts are generated here from templates; places come from our own gazetteer."""
import csv, os, random, sys

n, out, gazetteer = int(sys.argv[1]), sys.argv[2], sys.argv[3]
random.seed(16)
places = [r for r in csv.DictReader(open(gazetteer, encoding="utf-8"))]
regions = {"kayes": "Kayes", "koulikoro": "Koulikoro", "sikasso": "Sikasso", "segou": "Ségou", "mopti": "Mopti",
           "tombouctou": "Timbuktu", "gao": "Gao", "kidal": "Kidal", "bamako": "Bamako"}
months_en = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
months_fr = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
events_en = [("kidnapped", "abducted", "kidnapping"), ("attacked", "attacked", "attack"), ("ambushed", "ambushed", "ambush"),
             ("robbed", "robbed", "armed robbery"), ("protested", "demonstrated", "protest")]
events_fr = [("enlevés", "enlèvement"), ("attaqués", "attaque terroriste"), ("tombés dans une embuscade", "embuscade"),
             ("braqués", "braquage"), ("manifesté", "manifestation")]
severity = ["Warning", "Notice", "Critical", "Advisory", "Informational"]
os.makedirs(out, exist_ok=True)

def place():
    p = random.choice(places)
    return p["name"], regions.get(p["region"], p["region"].title())

for i in range(n):
    kind = i % 5
    day, month, year = random.randint(1, 28), random.randint(0, 11), random.choice([2024, 2025, 2026])
    town, region = place()
    other, other_region = place()
    if kind == 0:
        verb, verb2, noun = random.choice(events_en)
        text = f"""{day} {months_en[month][:3]} {year} | 0{random.randint(1, 9)}:{random.randint(10, 59)} AM UTC

Mali: Travellers {verb} near {town}, {region} Region, {months_en[month]} {day} (report {i})

Unidentified gunmen {verb2} travellers near {town}, {region} Region, on {months_en[month]} {day}; heightened security likely.

{random.choice(severity)}

Event

Local sources reported that {random.randint(2, 14)} people were {verb2} on the road from {other} to {town}. Security forces have launched search operations around {town}.

Context

Armed groups are active across central and northern Mali, where the threat of {noun} remains high. In {year - 8}, militants seized several towns in the north.

Advice

Avoid nonessential travel around {town}. Travel in convoy and during daylight hours only.
"""
    elif kind == 1:
        north = random.sample(["Kidal", "Gao", "Ménaka", "Timbuktu", "Mopti"], k=random.randint(2, 4))
        text = f"""Mali travel advice
Updated {day} {months_en[month]} {year}

Warnings and insurance

The FCDO advises against all travel to:
• the regions of {", ".join(north[:-1])} and {north[-1]}
• the area around {town} in the {region} region (ref {i})

FCDO advises against all but essential travel to the rest of Mali, including Bamako.

Terrorism
Terrorists are very likely to try to carry out attacks in Mali. There is a high threat of kidnapping throughout the country.
"""
    elif kind == 2:
        verb, noun = random.choice(events_fr)
        text = f"""{day} {months_fr[month]} {year}

Mali : des civils {verb} près de {town} (dépêche {i})

Des civils ont été {verb} le {day} {months_fr[month]} près de {town}, dans la région de {region}, selon des sources locales.

Un {noun} similaire avait eu lieu à {other} en {year - 3}. Le sud reste plus calme que le nord et le centre.
"""
    elif kind == 3:
        text = f"""Mali - Conseils aux voyageurs
Mis à jour le {day} {months_fr[month]} {year}

Sécurité

En raison de la menace terroriste très élevée, le Mali est formellement déconseillé, à l'exception de {random.choice(["Bamako", "Sikasso", "Kayes"])}, où les déplacements sont déconseillés sauf raison impérative (fiche {i}).

Les risques d'enlèvement demeurent élevés dans l'ensemble du pays, en particulier dans le nord et le centre.
"""
    else:
        text = f"""Mali Travel Advisory
{months_en[month]} {day}, {year}

Level 4: Do Not Travel

Do not travel to Mali due to crime, terrorism, and kidnapping (advisory {i}).

Country Summary: Violent crime is common in {town} and in the southern regions of Mali. A convoy travelling from {other} to {town} was ambushed near {town} last week.

Level 1: Exercise Normal Precautions Level 2: Exercise Increased Caution Level 3: Reconsider Travel Level 4: Do Not Travel
"""
    with open(os.path.join(out, f"advisory-{i:04d}.txt"), "w", encoding="utf-8") as f:
        f.write(text)
print(f"{n} advisories in {out}")
