"""Incoming text is cleaned once; every kind of bad input is named, never raised."""

from __future__ import annotations

from bot.text import clean, is_other_language, script_is_latin


def test_ordinary_text_passes_through_trimmed():
    assert clean("  Can I post this?  ", 100).text == "Can I post this?"


def test_empty_and_whitespace_only_are_empty():
    assert clean("", 100).problem == "empty"
    assert clean(" \n\t ", 100).problem == "empty"


def test_control_bytes_and_symbols_alone_are_unreadable():
    assert clean(b"\x00\x01\x02\xff\xfe", 100).problem == "unreadable"
    assert clean("@@@ ### !!!", 100).problem == "unreadable"


def test_over_long_text_is_flagged_with_its_length():
    incoming = clean("a" * 40_000, 1_000)
    assert (incoming.problem, incoming.length) == ("too_long", 40_000)


def test_text_is_normalised_to_composed_form():
    assert clean("cafe\u0301", 100).text == "caf\u00e9"


def test_script_detection():
    assert script_is_latin("Can I post photos?")
    assert not script_is_latin("Можно ли публиковать фото?")
    assert not script_is_latin("我可以发照片吗")


def test_other_languages_are_recognised_and_english_slang_is_not():
    assert is_other_language("Czy mogę opublikować zdjęcia kolegów na Facebooku?")
    assert is_other_language("¿Puedo publicar fotos de mis compañeros en Instagram?")
    assert not is_other_language("can i put pics from the xmas do on insta lol")
    assert not is_other_language("hi")
    assert not is_other_language("Lovely sunny day in Bolton")
