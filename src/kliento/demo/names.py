"""Believable names of people and firms in Latvia, Russia and Britain, with ASCII forms for e-mail.

Each person name is (display, ascii); Russian and Latvian surnames come in the
masculine and feminine forms a real customer list would hold.
"""

from __future__ import annotations

# (first name, ascii, gender "m"/"f")
LV_FIRST = [
    ("Jānis", "janis", "m"),
    ("Andris", "andris", "m"),
    ("Māris", "maris", "m"),
    ("Kārlis", "karlis", "m"),
    ("Edgars", "edgars", "m"),
    ("Raimonds", "raimonds", "m"),
    ("Gatis", "gatis", "m"),
    ("Uldis", "uldis", "m"),
    ("Artūrs", "arturs", "m"),
    ("Roberts", "roberts", "m"),
    ("Ilze", "ilze", "f"),
    ("Līga", "liga", "f"),
    ("Inese", "inese", "f"),
    ("Anna", "anna", "f"),
    ("Kristīne", "kristine", "f"),
    ("Dace", "dace", "f"),
    ("Zane", "zane", "f"),
    ("Laura", "laura", "f"),
    ("Sandra", "sandra", "f"),
    ("Baiba", "baiba", "f"),
    ("Elīna", "elina", "f"),
    ("Ieva", "ieva", "f"),
]
# (masculine, feminine, ascii stem)
LV_LAST = [
    ("Bērziņš", "Bērziņa", "berzin"),
    ("Kalniņš", "Kalniņa", "kalnin"),
    ("Ozoliņš", "Ozoliņa", "ozolin"),
    ("Jansons", "Jansone", "janson"),
    ("Ozols", "Ozola", "ozol"),
    ("Liepiņš", "Liepiņa", "liepin"),
    ("Krūmiņš", "Krūmiņa", "krumin"),
    ("Balodis", "Balode", "balod"),
    ("Eglītis", "Eglīte", "eglit"),
    ("Zariņš", "Zariņa", "zarin"),
    ("Pētersons", "Pētersone", "peterson"),
    ("Vītols", "Vītola", "vitol"),
    ("Kļaviņš", "Kļaviņa", "klavin"),
    ("Šmits", "Šmite", "smit"),
    ("Lācis", "Lāce", "lac"),
    ("Siliņš", "Siliņa", "silin"),
    ("Āboliņš", "Āboliņa", "abolin"),
    ("Vanags", "Vanaga", "vanag"),
]
RU_FIRST = [
    ("Александр", "aleksandr", "m"),
    ("Сергей", "sergey", "m"),
    ("Дмитрий", "dmitry", "m"),
    ("Андрей", "andrey", "m"),
    ("Алексей", "aleksey", "m"),
    ("Михаил", "mikhail", "m"),
    ("Иван", "ivan", "m"),
    ("Николай", "nikolay", "m"),
    ("Павел", "pavel", "m"),
    ("Владимир", "vladimir", "m"),
    ("Елена", "elena", "f"),
    ("Ольга", "olga", "f"),
    ("Татьяна", "tatyana", "f"),
    ("Наталья", "natalya", "f"),
    ("Ирина", "irina", "f"),
    ("Екатерина", "ekaterina", "f"),
    ("Анна", "anna", "f"),
    ("Мария", "maria", "f"),
    ("Светлана", "svetlana", "f"),
    ("Юлия", "yulia", "f"),
]
RU_LAST = [
    ("Иванов", "Иванова", "ivanov"),
    ("Смирнов", "Смирнова", "smirnov"),
    ("Кузнецов", "Кузнецова", "kuznetsov"),
    ("Попов", "Попова", "popov"),
    ("Васильев", "Васильева", "vasilyev"),
    ("Петров", "Петрова", "petrov"),
    ("Соколов", "Соколова", "sokolov"),
    ("Михайлов", "Михайлова", "mikhaylov"),
    ("Новиков", "Новикова", "novikov"),
    ("Фёдоров", "Фёдорова", "fedorov"),
    ("Морозов", "Морозова", "morozov"),
    ("Волков", "Волкова", "volkov"),
    ("Лебедев", "Лебедева", "lebedev"),
    ("Козлов", "Козлова", "kozlov"),
    ("Орлов", "Орлова", "orlov"),
    ("Зайцев", "Зайцева", "zaytsev"),
]
# Russian patronymics (masculine, feminine) from the father's name.
RU_MIDDLE = [
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"),
    ("Иванович", "Ивановна"),
    ("Николаевич", "Николаевна"),
    ("Петрович", "Петровна"),
    ("Викторович", "Викторовна"),
]
GB_FIRST = [
    ("Oliver", "oliver", "m"),
    ("George", "george", "m"),
    ("Harry", "harry", "m"),
    ("James", "james", "m"),
    ("William", "william", "m"),
    ("Thomas", "thomas", "m"),
    ("Jack", "jack", "m"),
    ("Daniel", "daniel", "m"),
    ("Olivia", "olivia", "f"),
    ("Amelia", "amelia", "f"),
    ("Isla", "isla", "f"),
    ("Emily", "emily", "f"),
    ("Sophie", "sophie", "f"),
    ("Charlotte", "charlotte", "f"),
    ("Grace", "grace", "f"),
    ("Lucy", "lucy", "f"),
]
GB_LAST = [
    ("Smith", "Smith", "smith"),
    ("Jones", "Jones", "jones"),
    ("Taylor", "Taylor", "taylor"),
    ("Brown", "Brown", "brown"),
    ("Williams", "Williams", "williams"),
    ("Wilson", "Wilson", "wilson"),
    ("Johnson", "Johnson", "johnson"),
    ("Davies", "Davies", "davies"),
    ("Robinson", "Robinson", "robinson"),
    ("Wright", "Wright", "wright"),
    ("Thompson", "Thompson", "thompson"),
    ("Evans", "Evans", "evans"),
    ("Walker", "Walker", "walker"),
    ("White", "White", "white"),
    ("Hughes", "Hughes", "hughes"),
    ("Whitfield", "Whitfield", "whitfield"),
]

# Firms: stems and legal forms per country.
COMPANY_STEMS = [
    "Baltic",
    "Nord",
    "Daugava",
    "Amber",
    "Vidzeme",
    "Kurzeme",
    "Latgale",
    "Riga",
    "Ural",
    "Volga",
    "Neva",
    "Sibir",
    "Kama",
    "Oka",
    "Severstal",
    "Avangard",
    "Thames",
    "Pennine",
    "Mercia",
    "Wessex",
    "Humber",
    "Clyde",
    "Severn",
    "Albion",
]
COMPANY_KINDS = [
    "Steel",
    "Metal Works",
    "Fabrication",
    "Machinery",
    "Components",
    "Logistics",
    "Plastics",
    "Timber",
    "Glass",
    "Engineering",
    "Hydraulics",
    "Construction",
]
LEGAL_FORMS = {"LV": ["SIA", "AS"], "RU": ["ООО", "АО"], "GB": ["Ltd", "plc"]}
EMAIL_DOMAINS = {
    "LV": ["inbox.lv", "gmail.com", "apollo.lv"],
    "RU": ["mail.ru", "yandex.ru"],
    "GB": ["gmail.com", "outlook.com", "btinternet.com"],
}
REGIONS = {
    "LV": ["Riga", "Jūrmala", "Jelgava", "Valmiera", "Liepāja"],
    "RU": ["Moscow", "Saint Petersburg", "Pskov", "Kaliningrad"],
    "GB": ["London", "Manchester", "Leeds", "Bristol"],
}
INDUSTRIES = ["Manufacturing", "Construction", "Logistics", "Energy", "Retail", "Agriculture"]
SEGMENTS = ["SMB", "Mid-market", "Enterprise", "Consumer"]
SOURCES = ["web form", "Google Ads", "referral", "trade fair", "cold call", "Facebook"]
JOB_TITLES = [
    "Procurement manager",
    "Chief engineer",
    "Director",
    "Plant manager",
    "Buyer",
    "Owner",
    "Operations manager",
    "",
]

_LATIN = str.maketrans(
    {
        "ā": "a",
        "č": "c",
        "ē": "e",
        "ģ": "g",
        "ī": "i",
        "ķ": "k",
        "ļ": "l",
        "ņ": "n",
        "š": "s",
        "ū": "u",
        "ž": "z",
        "ō": "o",
        "ŗ": "r",
    }
)
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def ascii_of(name: str) -> str:
    """The e-mail-safe form of a Latvian, Russian or English name ("Bērziņa" -> "berzina")."""
    lowered = name.lower().translate(_LATIN)
    out = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    return "".join(ch for ch in out if ch.isascii() and (ch.isalnum() or ch == "-"))


def person(rng, country: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """(first, last, middle) of a random person of `country` (LV, RU, GB)."""
    firsts, lasts = {
        "LV": (LV_FIRST, LV_LAST),
        "RU": (RU_FIRST, RU_LAST),
        "GB": (GB_FIRST, GB_LAST),
    }[country]
    first, _, gender = rng.choice(firsts)
    masculine, feminine, _ = rng.choice(lasts)
    last = masculine if gender == "m" else feminine
    middle = ""
    if country == "RU":
        pair = rng.choice(RU_MIDDLE)
        middle = pair[0] if gender == "m" else pair[1]
    return first, last, middle
