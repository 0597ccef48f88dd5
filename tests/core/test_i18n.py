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


def _msgids(po: Path) -> set[str]:
    ids = set()
    for entry in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        match = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if match:
            ids.add("".join(re.findall(r'"(.*)"', match.group(1))))
    return ids


def test_every_string_of_the_source_is_in_the_catalogues(tmp_path):
    """The catalogues are in step with the code: makemessages would add nothing."""
    import shutil
    import subprocess
    import sys

    source = Path(kliento.__file__).parent
    copy = tmp_path / "kliento"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "--no-obsolete"],
        cwd=copy, check=True, capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "kliento.settings.test"},
    )  # fmt: skip
    wanted = _msgids(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    for code in ("ru", "lv", "mn"):
        have = _msgids(source / "locale" / code / "LC_MESSAGES" / "django.po")
        missing = sorted(wanted - have)
        assert not missing, f"{code}: run makemessages and translate: {missing[:5]}"


def test_latvian_and_mongolian_fall_back_to_english_for_a_string_they_lack():
    from django.utils import translation

    for code, word in (("lv", "Mana diena"), ("mn", "Миний өдөр")):
        with translation.override(code):
            assert translation.gettext("My day") == word
            assert translation.gettext("A sentence no catalogue has") == (
                "A sentence no catalogue has"
            )
