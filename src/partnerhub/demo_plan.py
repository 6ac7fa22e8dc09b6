"""The plan of `partnerhub demo`'s customers: names, addresses and people in each country's style, drawn from a
fixed seed, so the same index always yields the same customer (the plan of a smaller run is a prefix)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from partnerhub.customers.schemas import BillingProfileInput

SEED = 42

# Customer i belongs to OWNERS[i % 5]: 40% Contoso, 20% Fabrikam, 40% Northwind (2/3 of them for a reseller).
OWNERS = ("contoso", "contoso", "fabrikam", "northwind", "northwind")
# Scenario of customer i by i % 20 (every scenario appears among the first 12 customers).
SCENARIOS = {2: "offboard-back", 5: "offboard-pending", 7: "revoked", 9: "offboard-expired", 11: "offboard"}

_EN_PREFIX = [
    "Blue Ridge",
    "Harbor",
    "Summit",
    "Pinecrest",
    "Redwood",
    "Lakeside",
    "Northgate",
    "Silverline",
    "Oakmont",
    "Brightwater",
    "Ironbridge",
    "Westfield",
    "Maple Leaf",
    "Granite",
    "Copperfield",
    "Evergreen",
    "Stonehill",
    "Riverside",
    "Highland",
    "Crescent",
]
_EN_SECTOR = [
    "Dental",
    "Logistics",
    "Architects",
    "Bakery",
    "Legal",
    "Consulting",
    "Engineering",
    "Veterinary",
    "Realty",
    "Marketing",
    "Accounting",
    "Builders",
    "Pharmacy",
    "Motors",
    "Design",
    "Insurance",
    "Medical",
    "Software",
    "Outfitters",
    "Catering",
]
_IT_SECTOR = [
    "Studio Legale",
    "Farmacia",
    "Officina Meccanica",
    "Panificio",
    "Trattoria",
    "Studio Dentistico",
    "Costruzioni",
    "Trasporti",
    "Ferramenta",
    "Tipografia",
    "Ottica",
    "Immobiliare",
    "Cantina",
    "Caseificio",
    "Studio Commercialista",
    "Impianti Elettrici",
    "Arredamenti",
    "Pasticceria",
    "Informatica",
    "Logistica",
]
_IT_SURNAMES = [
    "Rossi",
    "Bianchi",
    "Esposito",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
]
_SUFFIX = {
    "US": ("LLC", "Inc.", "Co.", "Group"),
    "GB": ("Ltd", "Limited", "LLP", "Group plc"),
    "IT": ("S.r.l.", "S.p.A.", "S.n.c.", "S.a.s.", "& C. S.r.l."),
}
_FIRST = {
    "en": [
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Emily",
        "Oliver",
        "Amelia",
        "Harry",
        "Sophie",
    ],
    "it": [
        "Marco",
        "Giulia",
        "Luca",
        "Francesca",
        "Alessandro",
        "Chiara",
        "Giuseppe",
        "Sara",
        "Matteo",
        "Elena",
        "Andrea",
        "Valentina",
        "Paolo",
        "Federica",
    ],
}
_LAST_EN = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Taylor",
    "Wilson",
    "Clark",
    "Walker",
    "Wright",
    "Evans",
    "Hughes",
]
# city, state/province, postal code, phone prefix
_CITIES = {
    country: [tuple(c.split(",")) for c in text.split(";")]
    for country, text in {
        "US": "Seattle,WA,98101,+1 206;Portland,OR,97204,+1 503;Austin,TX,78701,+1 512;Denver,CO,80202,+1 303;"
        "Boston,MA,02108,+1 617;Chicago,IL,60601,+1 312;Atlanta,GA,30303,+1 404;San Diego,CA,92101,+1 619",
        "GB": "London,Greater London,EC1A 1BB,+44 20;Manchester,Greater Manchester,M1 1AE,+44 161;"
        "Birmingham,West Midlands,B1 1AA,+44 121;Leeds,West Yorkshire,LS1 1UR,+44 113;Bristol,Bristol,BS1 4DJ,"
        "+44 117;Edinburgh,Midlothian,EH1 1YZ,+44 131",
        "IT": "Milano,MI,20121,+39 02;Roma,RM,00184,+39 06;Torino,TO,10121,+39 011;Napoli,NA,80133,+39 081;"
        "Bologna,BO,40121,+39 051;Firenze,FI,50122,+39 055;Verona,VR,37121,+39 045;Bari,BA,70121,+39 080;"
        "Padova,PD,35122,+39 049",
    }.items()
}
_STREETS = {
    "US": ["Main Street", "Oak Avenue", "Pine Street", "Cedar Lane", "Washington Avenue", "Lake Road"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Road", "King Street"],
    "IT": ["Via Roma", "Via Garibaldi", "Corso Italia", "Via Mazzini", "Via Dante", "Viale Europa"],
}
_LOCALE = {"US": ("en-US", "en"), "GB": ("en-GB", "en"), "IT": ("it-IT", "it")}
DEPARTMENTS = {
    "en": ("Sales", "Finance", "Operations", "Warehouse"),
    "it": ("Vendite", "Amministrazione", "Produzione", "Magazzino"),
}


@dataclass(frozen=True)
class CustomerSpec:
    """One planned customer: the same index always yields the same customer, whatever `--customers` says."""

    index: int
    company_name: str
    slug: str
    country: str
    owner: str
    reseller: str | None
    scenario: str
    billing: BillingProfileInput
    registration: str

    @property
    def domain(self) -> str:
        return f"{self.slug}.onmicrosoft.com"


def plan_customers(count: int) -> list[CustomerSpec]:
    """The first `count` customers of the fixed plan (seed 42): a prefix of any longer plan."""
    rng = random.Random(SEED)
    used: set[str] = set()
    out: list[CustomerSpec] = []
    for i in range(count):
        owner = OWNERS[i % len(OWNERS)]
        fabrikam = owner == "fabrikam"  # the Italian direct partner sells mostly in Italy
        country = rng.choices(("IT", "US", "GB"), weights=(85, 0, 15) if fabrikam else (40, 40, 20))[0]
        culture, lang = _LOCALE[country]
        base = (
            f"{rng.choice(_IT_SECTOR)} {rng.choice(_IT_SURNAMES)}"
            if country == "IT"
            else f"{rng.choice(_EN_PREFIX)} {rng.choice(_EN_SECTOR)}"
        )
        name = f"{base} {rng.choice(_SUFFIX[country])}"
        slug = re.sub(r"[^a-z0-9]", "", base.lower())
        candidate, n = slug, 1
        while candidate in used:
            n += 1
            candidate = f"{slug}{n}"
        used.add(candidate)
        first = rng.choice(_FIRST[lang])
        last = rng.choice(_IT_SURNAMES if lang == "it" else _LAST_EN)
        city, state, postal, phone = rng.choice(_CITIES[country])
        number, road = rng.randint(1, 180), rng.choice(_STREETS[country])
        street = f"{road} {number}" if country == "IT" else f"{number} {road}"
        billing = BillingProfileInput(
            first_name=first,
            last_name=last,
            culture=culture,
            language=lang,
            company_name=name,
            email=f"{re.sub(r'[^a-z]', '', first.lower())}.{re.sub(r'[^a-z]', '', last.lower())}@{candidate}"
            ".onmicrosoft.com",
            address_line1=street,
            city=city,
            state=state,
            postal_code=postal,
            country=country,
            phone_number=f"{phone} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        )
        registration = {
            "IT": f"IT{rng.randint(10**10, 10**11 - 1)}",
            "GB": f"{rng.randint(10**7, 10**8 - 1)}",
            "US": f"{rng.randint(10, 99)}-{rng.randint(10**6, 10**7 - 1)}",
        }[country]
        reseller = ("adatum", "trey", None)[(i // 5) % 3] if owner == "northwind" else None
        out.append(
            CustomerSpec(
                i, name, candidate, country, owner, reseller, SCENARIOS.get(i % 20, "normal"), billing, registration
            )
        )
    return out
