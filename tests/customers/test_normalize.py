import pytest

from kliento.customers.normalize import normalize_email, normalize_phone


def test_email_is_stripped_and_lower_cased():
    assert normalize_email("  Anna.Berzina@Example.LV ") == "anna.berzina@example.lv"


@pytest.mark.parametrize("bad", ["", "   ", "anna", "anna@", "@example.com", "a b@example.com"])
def test_a_malformed_email_is_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="e-mail"):
        normalize_email(bad)


def test_an_email_longer_than_254_characters_is_refused():
    with pytest.raises(ValueError, match="254"):
        normalize_email("a" * 64 + "@" + "b" * 186 + ".example.com")


def test_a_local_number_is_read_in_the_default_region_latvia():
    assert normalize_phone("2000 0000") == "+37120000000"


def test_a_region_can_be_given():
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


def test_the_default_region_comes_from_settings(settings):
    settings.KLIENTO_DEFAULT_REGION = "RU"
    assert normalize_phone("8 (912) 345-67-89") == "+79123456789"


def test_an_international_number_keeps_its_country():
    assert normalize_phone("+1 (650) 253-0000") == "+16502530000"


@pytest.mark.parametrize("bad", ["", "12", "abc", "+371 1", "9" * 70])
def test_an_invalid_phone_is_refused(bad):
    with pytest.raises(ValueError, match=r"Not a valid phone number\."):
        normalize_phone(bad)
