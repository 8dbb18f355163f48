from brisa.ui.i18n import (
    ENGLISH,
    PORTUGUESE,
    normalize_language,
    parse_accept_language,
    pick_language,
    translator_for,
)


def test_accept_language_is_read_by_quality_then_order() -> None:
    assert parse_accept_language("en;q=0.5, pt-BR, fr;q=0.9") == ["pt-BR", "fr", "en"]
    assert parse_accept_language("de;q=0, en") == ["en"]
    assert parse_accept_language("pt;q=bad, en") == ["en"]
    assert parse_accept_language(None) == []


def test_any_portuguese_or_english_tag_maps_to_a_supported_language() -> None:
    assert normalize_language("pt") == PORTUGUESE
    assert normalize_language("pt_PT") == PORTUGUESE
    assert normalize_language("en-GB") == ENGLISH
    assert normalize_language("fr") is None


def test_the_cookie_wins_over_accept_language() -> None:
    assert pick_language("en", "pt-BR,pt;q=0.9") == ENGLISH
    assert pick_language("pt-BR", "en") == PORTUGUESE


def test_accept_language_picks_the_first_supported_language() -> None:
    assert pick_language(None, "fr-FR, pt;q=0.8, en;q=0.5") == PORTUGUESE
    assert pick_language("klingon", "de, en;q=0.3") == ENGLISH
    assert pick_language(None, "de, fr") == ENGLISH


def test_translator_translates_then_formats() -> None:
    pt = translator_for(PORTUGUESE)
    assert pt("Log out") == "Sair"
    assert pt("Try {n}", n=3) == "Tentativa 3"
    assert pt("a message nobody translated") == "a message nobody translated"
    assert translator_for(ENGLISH)("Try {n}", n=3) == "Try 3"


def test_states_have_names_in_both_languages() -> None:
    assert translator_for(PORTUGUESE).state("up_for_retry") == "aguardando nova tentativa"
    assert translator_for(PORTUGUESE).state(None) == "sem estado"
    assert translator_for(ENGLISH).state("upstream_failed") == "upstream failed"


def test_unknown_language_falls_back_to_english() -> None:
    assert translator_for("xx").language == ENGLISH
