"""Identifiers in a draft post are found with exact spans; ordinary prose and dates are left alone."""

from __future__ import annotations

import dataclasses
import random

import phonenumbers
import pytest

from bot.review.identifiers import Identifier, find_identifiers, is_valid_nhs_number


def found(text: str) -> list[tuple[str, str]]:
    """(kind, value) of every identifier, after checking each span quotes the text exactly."""
    identifiers = find_identifiers(text)
    for item in identifiers:
        assert text[item.start : item.end] == item.value
    return [(item.kind, item.value) for item in identifiers]


def check_digit(nine: str) -> int | None:
    """The NHS check digit for nine digits, worked out from the published rule; None if 10."""
    total = 0
    for position, digit in enumerate(nine):
        total += int(digit) * (10 - position)
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_numbers(count: int, seed: int = 1) -> list[str]:
    """Valid NHS numbers built from random first nine digits (those with a usable check digit)."""
    rng = random.Random(seed)
    numbers: list[str] = []
    while len(numbers) < count:
        nine = str(rng.randrange(400_000_000, 999_999_999))
        check = check_digit(nine)
        if check is not None:
            numbers.append(nine + str(check))
    return numbers


NHS = nhs_numbers(1)[0]
NHS_SPACED = f"{NHS[:3]} {NHS[3:6]} {NHS[6:]}"


# --- the modulus-11 check ---------------------------------------------------------------------


def test_numbers_with_the_right_check_digit_are_valid():
    assert all(is_valid_nhs_number(number) for number in nhs_numbers(200))


def test_any_other_last_digit_is_invalid():
    for number in nhs_numbers(50, seed=2):
        for digit in "0123456789":
            if digit != number[9]:
                assert not is_valid_nhs_number(number[:9] + digit)


def test_remainder_zero_gives_check_digit_zero():
    nine = next(str(n) for n in range(400_000_000, 400_001_000) if check_digit(str(n)) == 0)
    assert is_valid_nhs_number(nine + "0")


def test_check_value_ten_means_no_valid_number():
    nine = next(str(n) for n in range(400_000_000, 400_001_000) if check_digit(str(n)) is None)
    assert not any(is_valid_nhs_number(nine + digit) for digit in "0123456789")


def test_swapping_two_adjacent_digits_is_caught():
    for number in nhs_numbers(50, seed=3):
        for i in range(8):
            if number[i] != number[i + 1]:
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
                assert not is_valid_nhs_number(swapped)


@pytest.mark.parametrize("bad", ["", "123", NHS[:9], NHS + "1", NHS_SPACED, NHS[:9] + "x", "٤" * 10])
def test_only_ten_plain_digits_are_checked(bad: str):
    assert not is_valid_nhs_number(bad)


# --- NHS numbers in text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [NHS, NHS_SPACED, f"{NHS[:3]}-{NHS[3:6]}-{NHS[6:]}", f"{NHS[:3]}.{NHS[3:6]}.{NHS[6:]}",
     f"{NHS[:3]}  {NHS[3:6]}  {NHS[6:]}", f"{NHS[:3]}\u00a0{NHS[3:6]}\u00a0{NHS[6:]}"],
)
def test_nhs_number_formats(written: str):
    assert found(f"Patient {written} was seen today.") == [("nhs_number", written)]


@pytest.mark.parametrize("label", ["NHS no", "NHS no.", "NHS No:", "NHS number:", "nhs number", "NHS #", "NHS:"])
def test_label_is_not_part_of_the_span(label: str):
    assert found(f"{label} {NHS_SPACED} please") == [("nhs_number", NHS_SPACED)]


def test_odd_grouping_is_accepted_only_after_a_label():
    odd = f"{NHS[:4]} {NHS[4:7]} {NHS[7:]}"
    assert found(f"NHS number {odd}") == [("nhs_number", odd)]
    assert found(f"ref {odd}") == []


def test_wrong_check_digit_is_not_an_nhs_number():
    wrong = NHS[:9] + str((int(NHS[9]) + 1) % 10)
    assert found(f"NHS no {wrong}") == []


@pytest.mark.parametrize("around", ["1{}", "{}7", "{}-5", "3.{}", "x{}", "{}.25"])
def test_ten_digits_inside_a_longer_number_are_not_matched(around: str):
    assert found(around.format(NHS)) == []


def test_repeated_digit_placeholders_are_ignored():
    assert is_valid_nhs_number("0000000000") and is_valid_nhs_number("1111111111")
    assert found("NHS no 000 000 0000 or 1111111111") == []


def test_ten_digits_that_make_a_uk_phone_number_are_a_phone():
    number = next(
        f"0800{i:06d}" for i in range(1_000_000) if is_valid_nhs_number(f"0800{i:06d}")
    )
    assert phonenumbers.is_valid_number(phonenumbers.parse(number, "GB"))
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert found(f"call {number} or {grouped}") == [("phone", number), ("phone", grouped)]


# --- dates of birth ---------------------------------------------------------------------------


@pytest.mark.parametrize("cue", ["DOB", "DOB:", "D.O.B", "d.o.b.", "date of birth", "Date of Birth:", "born", "b."])
@pytest.mark.parametrize(
    "date",
    ["12/03/1958", "12-03-58", "1.3.1958", "12 March 1958", "12th Mar 58", "March 12, 1958", "1st of May 1940"],
)
def test_cued_dates_are_dates_of_birth(cue: str, date: str):
    assert found(f"Mrs X {cue} {date} came in") == [("date_of_birth", date)]


def test_cue_may_be_up_to_25_characters_before_the_date():
    assert found("born in Bolton General on 12/03/1958") == [("date_of_birth", "12/03/1958")]
    assert found("born in the old Bolton General Infirmary on 12/03/1958") == []


def test_a_bare_date_is_not_a_date_of_birth():
    assert found("Team meeting on 12/03/2024 and 14 March 2024.") == []


def test_only_the_first_date_after_a_cue_counts():
    assert found("DOB 12/03/1958, admitted 14/03/2021") == [("date_of_birth", "12/03/1958")]


def test_impossible_dates_and_capital_initials_are_not_dates_of_birth():
    assert found("DOB 45/45/1958") == []
    assert found("Signed J. B. 12/03/2021") == []


@pytest.mark.parametrize("age", ["aged 81", "81 years old", "81yo", "an 81-year-old man"])
def test_ages_are_not_identifiers(age: str):
    assert found(f"Lovely chat with a patient {age} today") == []


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["07700 900123", "+44 7700 900123", "01204 462000", "(01204) 462000", "0161 496 0000",
     "020 7946 0000", "+44 (0)7911 123456", "+447911123456", "0044 7911 123456", "07911-123-456", "01204 123456"],
)
def test_uk_phone_numbers(phone: str):
    assert found(f"ring {phone} today") == [("phone", phone)]


@pytest.mark.parametrize("text", ["call 0123", "07700 9001", "extension 4567", "£1,204,462,000", "0800 12"])
def test_phone_negatives(text: str):
    assert [kind for kind, _ in found(text)] != ["phone"]


def test_phones_agree_with_phonenumbers_validity():
    rng = random.Random(4)
    for _ in range(300):
        national = rng.choice("123789") + "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 9))))
        if national.startswith(("7700900", "1632960")):
            continue
        text = f"tel 0{national} ok"
        valid = phonenumbers.is_valid_number(phonenumbers.parse("0" + national, "GB"))
        assert (("phone", "0" + national) in found(text)) == valid, national


# --- emails, postcodes, locations -------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["jo.bloggs@nhs.net", "a.b+c@trust.nhs.uk", "x_y-z@mail.example.co.uk", "Jo.O'Neil@nhs.net"]
)
def test_emails(email: str):
    assert found(f"Email ({email}).") == [("email", email)]


def test_quotes_around_an_email_are_not_part_of_it():
    assert found("Email 'jo@nhs.net'.") == [("email", "jo@nhs.net")]


@pytest.mark.parametrize("text", ["@jo_bloggs on X", "user@localhost", "a@b", "jo@ nhs.net"])
def test_email_negatives(text: str):
    assert found(text) == []


@pytest.mark.parametrize("postcode", ["BL1 1AA", "bl11aa", "M1 1AE", "SW1A 2AA", "EC1A 1BB", "W1A 0AX", "b4 7et"])
def test_full_postcodes(postcode: str):
    assert found(f"lives near {postcode}, sadly") == [("postcode", postcode)]


@pytest.mark.parametrize("text", ["lives in BL1", "BL1 1", "meet at B4 4pm", "ABL1 1AA", "BL1 1AAA"])
def test_partial_or_embedded_postcodes_are_not_matched(text: str):
    assert found(text) == []


@pytest.mark.parametrize(
    "place",
    ["bed 12", "bed12", "Bed 3a", "bay 3", "bay three", "ward 6", "Ward 6B", "ward B4", "cubicle 4",
     "side room 2", "resus 1", "bed no. 7", "bay twenty"],
)
def test_locations(place: str):
    assert found(f"the lady in {place} was lovely") == [("location", place)]


@pytest.mark.parametrize(
    "text", ["my bedroom", "a bay window", "to ward off flu", "reward 5 staff", "embed 3 videos", "bed at 3pm"]
)
def test_location_negatives(text: str):
    assert found(text) == []


# --- the result as a whole --------------------------------------------------------------------


def test_results_are_sorted_exact_and_non_overlapping():
    text = (
        f"Mr A (NHS no {NHS_SPACED}, DOB 12/03/1958) in bay 3, bed 12 on Ward 6B. "
        "Daughter on 07700 900123 or jo.bloggs@nhs.net, lives BL1 1AA. Meeting 14/03/2024."
    )
    assert found(text) == [
        ("nhs_number", NHS_SPACED), ("date_of_birth", "12/03/1958"), ("location", "bay 3"),
        ("location", "bed 12"), ("location", "Ward 6B"), ("phone", "07700 900123"),
        ("email", "jo.bloggs@nhs.net"), ("postcode", "BL1 1AA"),
    ]
    items = find_identifiers(text)
    assert all(a.end <= b.start for a, b in zip(items, items[1:]))


def test_longest_wins_when_identifiers_overlap():
    assert found("07700900123@text.nhs.uk") == [("email", "07700900123@text.nhs.uk")]


def test_empty_text_and_identifier_is_frozen():
    assert find_identifiers("") == []
    item = Identifier("email", 0, 3, "a@b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.start = 1  # type: ignore[misc]


ADVERSARIAL = {
    "spaced ones": "1 " * 20_000,
    "zeros": "0" * 40_000,
    "at signs": "a@" * 20_000,
    "beds": "bed " * 10_000,
    "outward codes": "BL1 " * 10_000,
    "plus 44": "+44" * 13_000,
    "date parts": "12/12/" * 6_000,
    "cue then date parts": "DOB " + "12/12/" * 6_000,
    "b dots": "b." * 20_000,
    "spaced zeros": "0 " * 20_000,
    "brackets": "(0" * 20_000,
    "domain labels": "x@" + "a." * 20_000,
    "labels": "NHS no " * 5_700,
    "digits": "".join(random.Random(5).choice("0123456789 ") for _ in range(40_000)),
}


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_inputs_finish(text: str):
    for item in find_identifiers(text):
        assert text[item.start : item.end] == item.value


def test_many_real_matches_are_all_reported():
    assert len(find_identifiers("bed 1 " * 6_666)) == 6_666
    assert len(find_identifiers(f"{NHS} " * 3_600)) == 3_600
