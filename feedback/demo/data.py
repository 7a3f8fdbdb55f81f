"""Demo records: believable B2B customers, their people, and a CS team."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

CSMS = ["maria.lopez@demo.feedback.test", "james.okafor@demo.feedback.test", "yuki.tanaka@demo.feedback.test"]

# (external_id, name, plan, segment, ARR, CSM index, renewal in N days, industry, region)
ACCOUNTS = [
    ("acme", "Acme Logistics", "enterprise", "enterprise", "184000", 0, 45, "logistics", "NA"),
    ("globex", "Globex Corporation", "enterprise", "enterprise", "312500", 1, 210, "manufacturing", "EMEA"),
    ("initech", "Initech", "pro", "mid-market", "48000", 2, 75, "software", "NA"),
    ("umbrella", "Umbrella Health", "enterprise", "enterprise", "265000", 0, 20, "healthcare", "EMEA"),
    ("hooli", "Hooli", "pro", "mid-market", "72000", 1, 130, "software", "NA"),
    ("stark", "Stark Renewables", "pro", "mid-market", "56400", 2, 300, "energy", "APAC"),
    ("wayne", "Wayne Analytics", "enterprise", "enterprise", "142000", 0, 95, "finance", "NA"),
    ("soylent", "Soylent Foods", "starter", "smb", "9600", 1, 12, "food", "LATAM"),
    ("tyrell", "Tyrell Robotics", "pro", "mid-market", "38500", 2, 160, "robotics", "APAC"),
    ("wonka", "Wonka Confectionery", "starter", "smb", "7200", 0, 340, "retail", "EMEA"),
    ("cyberdyne", "Cyberdyne Systems", "enterprise", "enterprise", "228000", 1, 58, "security", "NA"),
    ("oscorp", "Oscorp Labs", "starter", "smb", "4800", 2, 5, "biotech", "NA"),
    ("vandelay", "Vandelay Industries", "pro", "mid-market", "26000", 0, 240, "import-export", "NA"),
    ("nakatomi", "Nakatomi Trading", "starter", "smb", "11900", 1, 180, "trading", "APAC"),
]

# external_id → (mean NPS over the half year, change from its start to today): a few accounts are
# unhappy (Umbrella sliding before its renewal, Oscorp and Soylent low), a few recovering.
ACCOUNT_MOODS: dict[str, tuple[float, float]] = {
    "acme": (8.0, -0.5), "globex": (9.0, 0.4), "initech": (7.4, 1.5), "umbrella": (6.2, -4.0),
    "hooli": (8.8, 0.0), "stark": (9.2, 0.2), "wayne": (8.4, 0.6), "soylent": (4.8, -1.0),
    "tyrell": (7.0, 0.0), "wonka": (8.1, 0.0), "cyberdyne": (7.6, -1.8), "oscorp": (3.6, -0.5),
    "vandelay": (6.0, 2.5), "nakatomi": (7.5, 0.0),
}

# (days ago, account, fields before, fields after): changes the responses' snapshots keep apart.
ACCOUNT_CHANGES = [
    (60, "initech", {"plan": "starter", "segment": "smb", "arr": "18000"},
     {"plan": "pro", "segment": "mid-market", "arr": "48000"}),
    (90, "acme", {"csm_email": CSMS[1]}, {"csm_email": CSMS[0]}),
]

# (name, timezone, locale) pools; contacts are dealt out to accounts in turn
PEOPLE = [
    ("Ada Lovelace", "Europe/London", "en-GB"), ("Grace Hopper", "America/New_York", "en-US"),
    ("Linus Pauling", "America/Los_Angeles", "en-US"), ("Marie Curie", "Europe/Paris", "fr-FR"),
    ("Hedy Lamarr", "Europe/Vienna", "de-AT"), ("Alan Turing", "Europe/London", "en-GB"),
    ("Katherine Johnson", "America/Chicago", "en-US"), ("Tim Berners-Lee", "Europe/Zurich", "en"),
    ("Hiro Nakamura", "Asia/Tokyo", "ja-JP"), ("Ana Souza", "America/Sao_Paulo", "pt-BR"),
    ("Priya Raman", "Asia/Kolkata", "en-IN"), ("Lars Nilsson", "Europe/Stockholm", "sv-SE"),
    ("Chen Wei", "Asia/Shanghai", "zh-CN"), ("Fatima Zahra", "Africa/Casablanca", "fr-MA"),
    ("Diego Herrera", "America/Mexico_City", "es-MX"), ("Olivia Brown", "Australia/Sydney", "en-AU"),
]
ROLES_AT_CUSTOMER = ["Head of Operations", "Product Owner", "IT Admin", "VP Customer Success", "Analyst"]


def account_rows(today: date) -> list[dict]:
    return [
        {"external_id": ext, "name": name, "plan": plan, "segment": segment, "arr": Decimal(arr),
         "csm_email": CSMS[csm], "renewal_date": today + timedelta(days=days),
         "attributes": {"industry": industry, "region": region}}
        for ext, name, plan, segment, arr, csm, days, industry, region in ACCOUNTS
    ]


def contact_rows() -> list[dict]:
    rows = []
    for index, (ext, _name, _plan, segment, *_rest) in enumerate(ACCOUNTS):
        per_account = 4 if segment == "enterprise" else 3 if segment == "mid-market" else 2
        for n in range(per_account):
            name, tz, locale = PEOPLE[(index * 3 + n) % len(PEOPLE)]
            first, last = name.lower().split(" ", 1)
            rows.append({
                "external_id": f"{ext}-u{n + 1}", "account_external_id": ext, "name": name,
                "email": f"{first}.{last.replace(' ', '').replace('-', '')}@{ext}.example",
                "timezone": tz, "locale": locale,
                "attributes": {"title": ROLES_AT_CUSTOMER[(index + n) % len(ROLES_AT_CUSTOMER)],
                               "seats_managed": 5 + (index * 7 + n * 3) % 40},
            })
    rows[5]["unsubscribed"] = True  # one person opted out, as happens
    return rows
