#!/usr/bin/python3
"""gen_events.py — generate Chronicle datasets (formats/events-v1) of any size.

Synthetic but realistically shaped: about 2.8 KB of JSON per event, 1-6
participants, 1-5 activities, 0-3 statements, 0-4 figures, 1-2 sources per
event from a pool of a few hundred, Unicode names (Azerbaijani, Cyrillic,
Chinese, Arabic, French, Turkish), dates 1993-2026 (some spanning days),
~45 countries with their real ISO 3166-1 codes, tags, summaries of varied
length.  Everything is invented filler; none of it describes a real event.

Deterministic: the same arguments give the same bytes.  Streaming: events
are written one at a time, so 1,000,000 events need no more memory than one.

    gen_events.py --events 100000 --seed 1 -o /tmp/e100k.json
    gen_events.py --events 1000 --format ndjson -o /tmp/e1k.ndjson
    gen_events.py --events 50 --bad 3 -o /tmp/bad.json   # 3 realistic defects

--bad K injects K defects (wrong dates, unknown sources, duplicate ids,
syntax errors, invalid UTF-8...) into K distinct events, chosen by the seed;
what was injected where is listed on stderr.  Only the standard library.
"""

import argparse
import datetime
import json
import random
import sys
import unicodedata

# ---- vocabulary -----------------------------------------------------------

COUNTRIES = [
    # code, English name, cities (some in their own spelling)
    ("AZ", "Azerbaijan", ["Baku", "Ganja", "Sumqayıt", "Şəki", "Lənkəran", "Quba"]),
    ("TR", "Turkey", ["Istanbul", "Ankara", "İzmir", "Kars", "Iğdır"]),
    ("FR", "France", ["Paris", "Strasbourg", "Lyon", "Besançon", "Nîmes"]),
    ("RU", "Russia", ["Moscow", "Saint Petersburg", "Екатеринбург", "Kazan"]),
    ("CN", "China", ["Beijing", "Shanghai", "广州", "Xi'an"]),
    ("QA", "Qatar", ["Doha"]),
    ("AE", "United Arab Emirates", ["Abu Dhabi", "Dubai", "الشارقة"]),
    ("SA", "Saudi Arabia", ["Riyadh", "Jeddah"]),
    ("EG", "Egypt", ["Cairo", "الإسكندرية"]),
    ("DE", "Germany", ["Berlin", "München", "Köln", "Düsseldorf"]),
    ("GB", "United Kingdom", ["London", "Edinburgh", "Manchester"]),
    ("US", "United States", ["Washington", "New York", "Houston", "Los Angeles"]),
    ("CA", "Canada", ["Ottawa", "Montréal", "Québec", "Toronto"]),
    ("IT", "Italy", ["Rome", "Milan", "Venice"]),
    ("ES", "Spain", ["Madrid", "Barcelona", "Málaga"]),
    ("PL", "Poland", ["Warsaw", "Kraków", "Łódź"]),
    ("UA", "Ukraine", ["Kyiv", "Odesa", "Харків"]),
    ("GE", "Georgia", ["Tbilisi", "Marneuli", "Batumi"]),
    ("KZ", "Kazakhstan", ["Astana", "Almaty"]),
    ("UZ", "Uzbekistan", ["Tashkent", "Samarkand"]),
    ("TM", "Turkmenistan", ["Ashgabat"]),
    ("KG", "Kyrgyzstan", ["Bishkek"]),
    ("IR", "Iran", ["Tehran", "Tabriz", "تبریز"]),
    ("PK", "Pakistan", ["Islamabad", "Lahore"]),
    ("IN", "India", ["New Delhi", "Mumbai"]),
    ("JP", "Japan", ["Tokyo", "京都"]),
    ("KR", "South Korea", ["Seoul", "Busan"]),
    ("BE", "Belgium", ["Brussels", "Liège"]),
    ("NL", "Netherlands", ["The Hague", "Amsterdam"]),
    ("AT", "Austria", ["Vienna", "Salzburg"]),
    ("CH", "Switzerland", ["Geneva", "Bern", "Zürich"]),
    ("SE", "Sweden", ["Stockholm", "Göteborg"]),
    ("NO", "Norway", ["Oslo"]),
    ("CZ", "Czechia", ["Prague", "Brno"]),
    ("HU", "Hungary", ["Budapest"]),
    ("RO", "Romania", ["Bucharest", "Constanța"]),
    ("BG", "Bulgaria", ["Sofia"]),
    ("GR", "Greece", ["Athens", "Thessaloniki"]),
    ("IL", "Israel", ["Tel Aviv", "Jerusalem"]),
    ("JO", "Jordan", ["Amman"]),
    ("MA", "Morocco", ["Rabat", "Casablanca"]),
    ("DZ", "Algeria", ["Algiers"]),
    ("TN", "Tunisia", ["Tunis"]),
    ("BR", "Brazil", ["Brasília", "São Paulo"]),
    ("MX", "Mexico", ["Mexico City"]),
    ("LT", "Lithuania", ["Vilnius"]),
    ("LV", "Latvia", ["Riga"]),
    ("MD", "Moldova", ["Chișinău", "Comrat"]),
]

FIRST = {
    "az": ["Əli", "Şəhla", "Gülnarə", "İlham", "Rəşad", "Leyla", "Aygün", "Ülvi", "Çingiz",
           "Nərmin", "Könül", "Fərid", "Məmməd", "Səbinə", "Elçin", "Günay", "Tural", "Zümrüd",
           "Ağasəf", "Xəyalə", "Vüqar", "Sevinc", "Rövşən", "Aytən"],
    "tr": ["Ayşe", "Çağrı", "Gökhan", "İpek", "Özlem", "Mehmet", "Şule", "Uğur", "Büşra"],
    "ru": ["Алексей", "Ольга", "Дмитрий", "Наталья", "Сергей", "Екатерина", "Юрий", "Ирина"],
    "fr": ["Hélène", "François", "Amélie", "Jérôme", "Zoé", "Noël", "Cécile", "Gaëlle",
           "Frédéric", "Léa", "Benoît"],
    "en": ["John", "Sarah", "Michael", "Emma", "David", "Laura", "James", "Anna"],
}
LAST = {
    "az": ["Həsənov", "Məmmədova", "Əliyev", "Qasımov", "Ağayeva", "Çələbiyev", "Şükürova",
           "Hüseynov", "İsmayılov", "Bağırova", "Nəsirli", "Güləliyev", "Rzayeva", "Səfərov",
           "Quliyeva", "Abdullayev", "Kərimova", "Öküzov"],
    "tr": ["Yılmaz", "Öztürk", "Şahin", "Doğan", "Çelik", "Aydın", "Güneş", "Kılıç"],
    "ru": ["Смирнов", "Кузнецова", "Иванов", "Петрова", "Волков", "Соколова", "Морозов"],
    "fr": ["Lefèvre", "Côté", "Dupré", "Bélanger", "Mercier", "Gérard", "Bréhat", "Lemaître",
           "Després", "Faÿ"],
    "en": ["Smith", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hughes"],
}
# written family name first, no space between the parts
CHINESE = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳",
           "徐明", "孙悦"]
ARABIC = ["محمد العلي", "فاطمة الزهراء", "أحمد حسن", "خالد المنصوري", "ليلى الحسيني",
          "عمر السيد", "نور الهدى", "يوسف القاسم", "سارة الكعبي"]
NAME_KINDS = ["az"] * 9 + ["tr"] * 2 + ["ru"] * 2 + ["fr"] * 2 + ["en", "zh", "ar"]

ROLES = [
    "Ambassador of Azerbaijan to {country}", "Consul General of Azerbaijan in {city}",
    "Deputy Minister of Culture", "Member of Parliament", "Mayor of {city}",
    "Head of the Azerbaijani community of {city}", "Professor of History, {city} State University",
    "Composer", "Writer", "Journalist", "Student", "Chair of the Diaspora Committee",
    "Director of the National Library", "Head of the Cultural Centre of Azerbaijan in {city}",
    "Historian", "Conductor", "Poet", "Rector of the University of {city}",
    "Senior Advisor to the Ministry of Foreign Affairs", "Film director", "Pianist",
]
ORGS = [
    "Embassy of Azerbaijan in {country}", "Azerbaijani community of {city}",
    "Ministry of Culture of Azerbaijan", "Ministry of Foreign Affairs of Azerbaijan",
    "Municipality of {city}", "{city} State University", "Cultural Centre of Azerbaijan in {city}",
    "State Committee on Work with the Diaspora", "Union of Writers", "National Library of {country}",
    "Friendship Society {country}–Azerbaijan", "Association des Azerbaïdjanais de France",
    "Общество азербайджанцев {city}", "阿塞拜疆文化中心", "الجمعية الأذربيجانية",
    "Youth Organisation of Azerbaijanis in {country}", "Conservatoire of {city}",
]
AUDIENCES = [
    "Compatriots living in {country}", "Public representatives", "Students and teachers",
    "Heads of diplomatic missions accredited in {country}", "Members of parliament",
    "Representatives of the intelligentsia", "Journalists", "Members of the diaspora",
    "Residents of {city}", "Young people", "Veterans", "Local officials", "Academics",
]
SUBJECTS = [
    ("Khojaly, 25–26 February 1992", "1992-02-25"),
    ("Independence Day of Azerbaijan", "1918-05-28"),
    ("Novruz holiday", None),
    ("Day of Solidarity of World Azerbaijanis", "1991-12-31"),
    ("Birth of Nizami Ganjavi", "1141-01-01"),
    ("Birth of Uzeyir Hajibeyov", "1885-09-18"),
    ("National Flag Day", "1918-11-09"),
    ("Birth of Mirza Fatali Akhundov", "1812-07-12"),
    ("Events of 20 January 1990", "1990-01-20"),
    ("Founding of the Azerbaijan Democratic Republic", "1918-05-28"),
    ("Day of the National Press", "1875-07-22"),
    ("Birth of Fuzuli", None),
    ("International Mother Language Day", "1999-11-17"),
    ("Premiere of the opera «Leyli and Majnun»", "1908-01-25"),
    ("Day of Azerbaijani Culture", None),
]
KINDS = ["speech", "briefing", "discussion", "exhibition", "photo-exhibition", "performance",
         "concert", "wreath-laying", "minute-of-silence", "film-screening", "video-screening",
         "presentation"]
WORKS = ["Khojaly 613", "Sarı gəlin", "Qarabağ şikəstəsi", "Лейли и Меджнун", "Koroğlu",
         "Un soir à Bakou", "Arşın mal alan", "Ölməz səslər", "春天的回声", "ذاكرة المدينة",
         "Mémoires du Caucase", "Symphonic mugham «Rast»", "Portraits of Şuşa"]
TOPICS = [
    "the history of the region", "the cultural heritage of Azerbaijan", "the work of the diaspora",
    "the programme of the anniversary", "bilateral relations between the two countries",
    "education and youth exchanges", "the preservation of archives and documents",
    "the music of Uzeyir Hajibeyov", "classical poetry and its translations",
    "the events the occasion marks", "the role of the press",
]
CLAUSES = [
    "the anniversary should be remembered by the younger generation",
    "the exhibition would travel to three more cities during the year",
    "cooperation between the two countries had grown in culture and education",
    "the archive documents presented had been digitised over the last two years",
    "the community would hold a similar event every year",
    "the translation of the poems into the local language was completed in the spring",
    "more than a hundred students had taken part in the essay competition",
    "the music of the composer was part of the curriculum of the conservatoire",
    "the organisers thanked the municipality for providing the hall",
    "the events of the period were described in the books presented at the meeting",
    "the memory of the victims was honoured with a minute of silence",
    "a new edition of the anthology would be published with illustrations",
]
VERBS = ["said that", "stressed that", "noted that", "recalled that", "stated that",
         "described how", "told the audience that", "emphasised that"]
QUOTES = [
    "We must pass this memory on to our children.",
    "Culture is the bridge that unites our peoples.",
    "Nous n'oublierons jamais ces pages de notre histoire.",
    "Это наша общая история, и мы должны её помнить.",
    "Bu gün biz hamımız bir yerdəyik.",
    "我们要把这段历史告诉下一代。",
    "نحن هنا لنتذكر ونحيي الذكرى.",
    "Every year more young people come to these meetings.",
]
FIGURE_LABELS = [
    ("Participants", "people"), ("Visitors to the exhibition", "people"),
    ("Books presented", "books"), ("Countries represented", "countries"),
    ("Students attending", "people"), ("Copies distributed", "copies"),
    ("Share of seats filled", "percent"), ("Photographs exhibited", "photographs"),
    ("Documents digitised", "documents"), ("Year the archive was founded", None),
]
FIGURE_NOTES = [
    "Stated by the organisers at the opening.", "Given in the report's last paragraph.",
    "Estimate given by the report; the organisers gave no number.",
    "The report's own words: \"around\" this number.",
]
OUTLETS = ["Trend", "AZERTAC", "Report.az", "APA", "Day.Az", "Vestnik Kavkaza", "Le Courrier",
           "新华社", "وكالة الأنباء", "Anadolu Ajansı", "Interfax", "Xalq qəzeti"]
TAGS = ["commemoration", "culture", "diaspora", "music", "exhibition", "education",
        "diplomacy", "youth", "literature", "film", "conference", "archives", "poetry",
        "theatre", "press", "heritage"]
SUMMARY_MORE = [
    "The programme opened with the national anthems of both countries.",
    "Speakers addressed the audience in several languages, with interpretation provided.",
    "The event was held in the main hall and was open to the public.",
    "Books, brochures and photographs were displayed in the foyer.",
    "A reception followed the official part of the programme.",
    "Students of the local university read poems in Azerbaijani and in translation.",
    "The report does not say how many people attended.",
    "Musicians of the conservatoire performed works by Azerbaijani composers.",
    "A documentary was shown at the end of the evening.",
    "The organisers announced that the materials would be donated to the city library.",
]
VENUES = ["Embassy building", "City Hall", "Main hall of the university", "National Library",
          "Palace of Culture", "Conservatoire concert hall", "Museum of History",
          "Cultural Centre", "Théâtre municipal", "Дом дружбы народов", "Philharmonic Hall"]

DATE_LO = datetime.date(1993, 1, 1).toordinal()
DATE_HI = datetime.date(2026, 12, 24).toordinal()  # end_date stays in 2026


def slug(s, fallback="x"):
    """ASCII kebab form: "Şəki" -> "seki"; scripts without Latin letters give fallback."""
    s = unicodedata.normalize("NFKD", s.replace("ı", "i").replace("ə", "e"))
    out = []
    for ch in s.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        elif not unicodedata.combining(ch):
            out.append("-")
    return "-".join(p for p in "".join(out).split("-") if p) or fallback


def ordinal(n):
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


class Generator:
    def __init__(self, seed, n_sources):
        self.rng = random.Random(seed)
        self.n_sources = n_sources
        self.sources = [self.source(i) for i in range(n_sources)]

    def person(self):
        r = self.rng
        kind = r.choice(NAME_KINDS)
        if kind == "zh":
            return r.choice(CHINESE)
        if kind == "ar":
            return r.choice(ARABIC)
        return f"{r.choice(FIRST[kind])} {r.choice(LAST[kind])}"

    def date(self, lo=DATE_LO, hi=DATE_HI):
        return datetime.date.fromordinal(self.rng.randint(lo, hi))

    def source(self, i):
        r = self.rng
        s = {"id": f"src-{i:04d}"}
        if r.random() < 0.85:
            s["outlet"] = r.choice(OUTLETS)
        if r.random() < 0.9:
            s["published"] = self.date().isoformat()
        if r.random() < 0.5:
            code, country, cities = r.choice(COUNTRIES)
            s["dateline"] = f"{r.choice(cities).upper()}, {country}"
        s["document"] = f"{i:04d}_{r.getrandbits(64):016x}.txt"
        if r.random() < 0.4:
            s["url"] = f"https://news.example.org/{slug(s.get('outlet', 'doc'))}/{i:04d}"
        return s

    def fill(self, template, city, country):
        return template.format(city=city, country=country)

    def event(self, i):
        r = self.rng
        code, country, cities = r.choice(COUNTRIES)
        city = r.choice(cities)
        d = self.date()
        subject, of_date = r.choice(SUBJECTS)
        orgs = [self.fill(o, city, country) for o in r.sample(ORGS, r.randint(1, 2))]
        ev = {"id": f"{slug(city, code.lower())}-{d.year}-{i:07d}"}
        anniversary = None
        if of_date and r.random() < 0.7:
            anniversary = d.year - int(of_date[:4])
            if anniversary < 0:
                anniversary = None
        what = (f"the {ordinal(anniversary)} anniversary of {subject}" if anniversary
                else subject)
        ev["title"] = f"Commemoration of {what}, {orgs[0]}"
        ev["date"] = d.isoformat()
        if r.random() < 0.12:
            ev["end_date"] = (d + datetime.timedelta(days=r.randint(1, 6))).isoformat()
        loc = {}
        if r.random() < 0.5:
            loc["venue"] = r.choice(VENUES)
        if r.random() < 0.93:
            loc["city"] = city
        loc["country"] = country
        loc["country_code"] = code
        ev["location"] = loc
        occ = {"subject": subject}
        if anniversary:
            occ["anniversary"] = anniversary
        if of_date:
            occ["of_date"] = of_date
        ev["occasion"] = occ
        ev["organizers"] = orgs
        ev["audience"] = [self.fill(a, city, country)
                          for a in r.sample(AUDIENCES, r.randint(1, 4))]

        srcs = sorted(r.sample(range(self.n_sources), min(r.randint(1, 2), self.n_sources)))
        src_ids = [f"src-{k:04d}" for k in srcs]

        people = []
        for _ in range(r.randint(1, 6)):
            p = {"name": self.person()}
            if r.random() < 0.85:
                p["role"] = self.fill(r.choice(ROLES), city, country)
            if r.random() < 0.65:
                p["organization"] = self.fill(r.choice(ORGS), city, country)
            if r.random() < 0.6:
                p["spoke"] = r.random() < 0.7
            people.append(p)
        ev["participants"] = people

        acts = []
        for _ in range(r.randint(1, 5)):
            kind = r.choice(KINDS)
            a = {"kind": kind}
            if kind in ("performance", "concert", "film-screening", "exhibition",
                        "photo-exhibition") and r.random() < 0.6:
                a["title"] = r.choice(WORKS)
            if r.random() < 0.9:
                who = r.choice(people)["name"]
                t1, t2 = r.sample(TOPICS, 2)
                a["description"] = (f"{kind.replace('-', ' ').capitalize()} by {who} on {t1}, "
                                    f"followed by {t2}.")
                if r.random() < 0.7:
                    a["description"] += " " + r.choice(SUMMARY_MORE)
            if kind in ("performance", "concert") or r.random() < 0.15:
                a["performers"] = [self.person() for _ in range(r.randint(1, 3))]
            acts.append(a)
        ev["activities"] = acts

        n_st = r.randint(0, 3)
        if n_st:
            sts = []
            for _ in range(n_st):
                speaker = r.choice(people)["name"]
                s = {"speaker": speaker,
                     "summary": f"{speaker} {r.choice(VERBS)} {r.choice(CLAUSES)}"}
                for _ in range(r.randint(1, 2)):
                    s["summary"] += f", and {r.choice(VERBS)} {r.choice(CLAUSES)}"
                s["summary"] += "."
                if r.random() < 0.5:
                    s["quote"] = r.choice(QUOTES)
                s["source"] = r.choice(src_ids)
                sts.append(s)
            ev["statements"] = sts

        n_fig = r.randint(0, 4)
        if n_fig:
            figs = []
            for _ in range(n_fig):
                label, unit = r.choice(FIGURE_LABELS)
                if unit == "percent":
                    value = round(r.uniform(10, 100), 1)
                elif unit is None:
                    value = r.randint(1900, 2020)
                else:
                    value = r.choice((r.randint(2, 60), r.randint(50, 800), r.randint(100, 20000)))
                f = {"label": label, "value": value}
                if unit:
                    f["unit"] = unit
                f["source"] = r.choice(src_ids)
                if r.random() < 0.7:
                    f["note"] = r.choice(FIGURE_NOTES)
                figs.append(f)
            ev["figures"] = figs

        ev["sources"] = src_ids
        tags = r.sample(TAGS, r.randint(1, 4))
        if anniversary:
            tags.append(f"anniversary-{anniversary}")
        ev["tags"] = tags
        where = f"{city}, {country}" if "city" in loc else country
        summary = [f"The {orgs[0]} held an event marking {what} in {where} on {d.isoformat()}."]
        if len(people) > 1:
            names = [p["name"] for p in people[:4]]
            summary.append(f"Participants included {', '.join(names[:-1])} and {names[-1]}.")
        summary += r.sample(SUMMARY_MORE, r.choice((0, 1, 2, 3, 4, 4, 5, 8)))
        ev["summary"] = " ".join(summary)
        return ev


# ---- defects (--bad) ------------------------------------------------------

# Each takes (event dict, index, generator, rng) and returns the event, or a
# "text:..." marker applied to the serialized line (syntax defects).
def d_bad_date(ev, *_):
    ev["date"] = ev["date"][:4] + "-02-30"
    return ev


def d_bad_country(ev, *_):
    ev["location"]["country_code"] = "XX"
    return ev


def d_lower_country(ev, *_):
    ev["location"]["country_code"] = ev["location"]["country_code"].lower()
    return ev


def d_missing_title(ev, *_):
    del ev["title"]
    return ev


def d_blank_title(ev, *_):
    ev["title"] = "  "
    return ev


def d_unknown_source(ev, *_):
    ev["sources"] = ev["sources"] + ["src-99999"]
    return ev


def d_figure_string(ev, *_):
    ev.setdefault("figures", [{"label": "Participants", "source": ev["sources"][0]}])
    ev["figures"][0]["value"] = "1,275"
    return ev


def d_end_before(ev, *_):
    ev["end_date"] = "1990-01-01"
    return ev


def d_anniversary_frac(ev, *_):
    ev["occasion"]["anniversary"] = 3.5
    return ev


def d_no_sources(ev, *_):
    ev["sources"] = []
    return ev


def d_dup_id(ev, index, gen, *_):
    if not index:  # nothing to duplicate yet
        return d_bad_date(ev)
    ev["id"] = gen.first_id
    return ev


def d_wrong_type(ev, *_):
    ev["participants"] = {"name": "not a list"}
    return ev


SEMANTIC = [d_bad_date, d_bad_country, d_lower_country, d_missing_title, d_blank_title,
            d_unknown_source, d_figure_string, d_end_before, d_anniversary_frac, d_no_sources,
            d_dup_id, d_wrong_type]

# syntax defects, applied to the serialized event (bytes)
SYNTAX = {
    "leading-zero": lambda b: b[:-1] + b',"x-n":01}',
    "trailing-comma": lambda b: b[:-1] + b",}",
    "invalid-utf8": lambda b: b.replace(b'"title":"', b'"title":"\xc3\x28', 1),
    "raw-control": lambda b: b.replace(b'"summary":"', b'"summary":"\x01', 1),
    "escaped-cr": lambda b: b.replace(b'"summary":"', b'"summary":"\\r', 1),
    "duplicate-key": lambda b: b[:-1] + b',"date":"2001-01-01"}',
    "lone-surrogate": lambda b: b[:-1] + b',"x-s":"\\ud800"}',
    "deep-nesting": lambda b: b[:-1] + b',"x-d":' + b"[" * 70 + b"]" * 70 + b"}",
    "truncated": lambda b: b[: len(b) // 2],
    "nan": lambda b: b[:-1] + b',"x-v":NaN}',
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", "-n", type=int, default=1000, help="number of events")
    ap.add_argument("--seed", "-s", type=int, default=1)
    ap.add_argument("--format", "-f", choices=("json", "ndjson"), default=None,
                    help="default: by the output's extension (.ndjson/.jsonl: ndjson)")
    ap.add_argument("--sources", type=int, default=None,
                    help="size of the source pool (default: 300, fewer for tiny datasets)")
    ap.add_argument("--sources-last", action="store_true",
                    help="JSON: write \"sources\" after \"events\"")
    ap.add_argument("--bad", type=int, default=0, metavar="K",
                    help="inject K random defects (listed on stderr)")
    ap.add_argument("--syntax", action="store_true",
                    help="with --bad: also use syntax defects (a JSON file then stops "
                         "at the first one)")
    ap.add_argument("--output", "-o", default="-", help="output file (default: stdout)")
    a = ap.parse_args()
    if a.events < 0 or a.bad < 0 or a.bad > a.events:
        ap.error("need 0 <= --bad <= --events")
    fmt = a.format or ("ndjson" if a.output.endswith((".ndjson", ".jsonl")) else "json")
    n_sources = a.sources if a.sources else max(2, min(300, a.events // 3 + 2))

    gen = Generator(a.seed, n_sources)
    bad_rng = random.Random(f"bad-{a.seed}")
    defects = {}
    if a.bad:
        kinds = SEMANTIC + (list(SYNTAX) if a.syntax else [])
        for idx in sorted(bad_rng.sample(range(a.events), a.bad)):
            defects[idx] = bad_rng.choice(kinds)

    out = sys.stdout.buffer if a.output == "-" else open(a.output, "wb", buffering=1 << 20)

    def dumps(v):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    header = {
        "schema": "chronicle/events@1",
        "title": f"Generated dataset: {a.events} events (seed {a.seed})",
        "description": "Synthetic events of realistic shape written by tests/tools/gen_events.py "
                       "for benchmarks and fuzzing. Names, places and numbers are invented "
                       "filler — Azerbaijani ə ş ğ ı İ ç ö ü, Кириллица, 中文, العربية, "
                       "français — and describe nothing real.",
    }
    sources_json = b"[\n" + b",\n".join(dumps(s) for s in gen.sources) + b"\n]"
    if fmt == "ndjson":
        header["sources"] = gen.sources
        out.write(dumps(header) + b"\n")
    else:
        out.write(b"{" + dumps(header)[1:-1])
        if not a.sources_last:
            out.write(b',\n"sources":' + sources_json)
        out.write(b',\n"events":[')

    total = 0
    for i in range(a.events):
        ev = gen.event(i)
        if i == 0:
            gen.first_id = ev["id"]
        defect = defects.get(i)
        text_defect = None
        if defect in SYNTAX:
            text_defect = defect
        elif defect:
            ev = defect(ev, i, gen, bad_rng)
            defect = defect.__name__[2:].replace("_", "-")
        line = dumps(ev)
        if text_defect:
            line = SYNTAX[text_defect](line)
        if defect:
            print(f"gen_events: event {i}: {defect}", file=sys.stderr)
        total += len(line)
        if fmt == "ndjson":
            out.write(line + b"\n")
        else:
            out.write((b"\n" if i == 0 else b",\n") + line)
    if fmt == "json":
        out.write(b"\n]")
        if a.sources_last:
            out.write(b',\n"sources":' + sources_json)
        out.write(b"}\n")
    if out is not sys.stdout.buffer:
        out.close()
    if a.events:
        print(f"gen_events: {a.events} events, {total / a.events:.0f} bytes of JSON per event "
              f"on average, {n_sources} sources, {fmt}", file=sys.stderr)


if __name__ == "__main__":
    main()
