"""English and Russian: the API answers in the language the client asks for."""

import re
from pathlib import Path

import kliento

CATALOGUE = Path(kliento.__file__).parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_errors_come_in_russian_when_asked(api, manager):
    client = api(manager)

    english = client.get("/contacts/999999")
    russian = client.get("/contacts/999999", **{"Accept-Language": "ru"})

    assert english.status_code == russian.status_code == 404
    assert english.json()["detail"] == "Not found."
    assert russian.json()["detail"] == "Не найдено."


def test_field_errors_are_translated_too(api, manager):
    response = api(manager).post("/contacts", '{"first_name": ', **{"Accept-Language": "ru"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Тело запроса не является корректным JSON."


def test_russian_catalogue_has_no_untranslated_or_fuzzy_entry():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    # An entry whose msgstr is empty and not continued on the next lines.
    untranslated = [e for e in entries if re.search(r'msgstr(\[\d\])? ""\Z', e.strip())]
    assert not untranslated, untranslated[:3]
    assert "#, fuzzy" not in text
    assert (CATALOGUE.with_suffix(".mo")).exists()
