"""The reviewer names each risk with its clause, the words that cause it and what to do instead,
and stays quiet about what is fine. Drafts here are written for the tests."""

from __future__ import annotations

import pytest

from bot.review.identifiers import is_valid_nhs_number


def categories(review) -> set[str]:
    return {f.category for f in review.findings}


def a_valid_nhs_number() -> str:
    return next(f"{n:010d}" for n in range(4_000_000_000, 4_000_000_100) if is_valid_nhs_number(f"{n:010d}"))


FLAGGED = [
    ("Mrs P on ward 9 has finally agreed to her dialysis, such a relief", "confidentiality"),
    ("Heard Gareth from estates is off sick with stress again, second time since spring", "confidentiality"),
    ("Our CCG's new referral pathway is a total shambles, who signed this off?!", "disrepute"),
    ("The out of hours provider we pay millions to is an absolute joke, never answer the phone", "disrepute"),
    ("Honestly Sharon in payroll is a muppet 🙄 can't even add up her own timesheet 😂", "bullying"),
    ("Six months waiting for my regrade and HR still ignoring my emails. Feeling totally undervalued 😤",
     "grievance"),
    ("NSFW 🔞 my new boudoir pics are up, link in bio", "sexual"),
    ("Anyone want a firestick with all the sports channels? cheaper than paying for it", "illegal"),
    ("We at Bolton CCG fully support closing the minor injuries unit.", "speaking_for_org"),
    ("As a commissioning manager at NHS Bolton CCG I think the new dental contract is unworkable.",
     "speaking_for_org"),
    ("Put the CCG logo on our five-a-side team shirts 😎", "logo"),
    ("Selfie with the whole contracts team at our desks after the quarterly review 📸", "photo_consent"),
    ("Our provider has been falsifying waiting list figures for months and nobody at work will act.",
     "whistleblowing"),
]

CLEAN = [
    "Views my own, but after ten years at NHS Bolton CCG I think social prescribing should be everywhere.",
    "Team photo from the away day – everyone in it was happy for it to be shared 😊",
    "Huge well done to Imran in finance for getting the year-end accounts signed off early 👏",
    "Shocking decision by the government to freeze public health funding again. Contact your MP.",
    "Proud of our diabetes team for launching the new foot-check clinic this week 💙",
    "I would never post patient details online, and neither should you.",
    "RT @NHSBoltonCCG: Our new urgent treatment centre opens on Monday. Find out more on our website.",
    "Happy birthday to my little girl, 6 today 🎂",
    "We're hiring! Band 5 admin officer, permanent and full time. Apply through the link.",
    "The printer on the second floor has jammed again 🙃 send help",
]


@pytest.mark.parametrize(("draft", "category"), FLAGGED)
def test_each_category_is_found_with_its_clause_and_evidence(reviewer, draft, category):
    review = reviewer.review(draft)
    finding = next(f for f in review.findings if f.category == category)
    assert finding.clause == reviewer.lexicon.categories[category].clause
    assert finding.evidence and all(part in draft for part in finding.evidence.split(" … "))
    assert finding.advice


@pytest.mark.parametrize("draft", CLEAN)
def test_hard_negatives_are_clean(reviewer, draft):
    review = reviewer.review(draft)
    assert review.findings == (), [f.category for f in review.findings]
    assert review.verdict == "ok" and review.rewrite is None


def test_nhs_number_initials_and_ward_give_breach_risk_and_a_rewrite_without_them(reviewer):
    number = a_valid_nhs_number()
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    draft = f"Great news about K.L. on Ward 12 today, NHS number {spaced}, home by the weekend!"
    review = reviewer.review(draft)
    assert review.verdict == "breach_risk"
    evidence = next(f.evidence for f in review.findings if f.category == "confidentiality")
    for part in ("K.L.", "Ward 12", spaced):
        assert part in evidence
        assert part not in review.rewrite
    assert "[NHS number]" in review.rewrite and "[patient]" in review.rewrite


def test_an_invalid_check_digit_alone_is_not_an_nhs_number(reviewer):
    number = a_valid_nhs_number()
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert not is_valid_nhs_number(wrong)
    assert reviewer.review(f"Our room booking reference is {wrong}").findings == ()


def test_verdict_follows_the_taxonomy_rule(reviewer):
    assert reviewer.review("Put the CCG logo on our five-a-side team shirts 😎").verdict == "caution"
    mixed = reviewer.review("Put the CCG logo on our shirts 😎 The CCG is a complete farce anyway.")
    assert {"logo", "disrepute"} <= categories(mixed) and mixed.verdict == "breach_risk"


def test_missing_disclaimer_is_fixed_by_adding_one(reviewer):
    review = reviewer.review("As a commissioning manager at NHS Bolton CCG I think the new dental contract is unworkable.")
    assert review.rewrite.endswith("Views are my own, not my employer's.")


def test_breach_sentence_is_marked_for_removal_and_the_rest_kept(reviewer):
    review = reviewer.review("Lovely team lunch today. The CCG is a complete farce though.")
    assert review.rewrite.startswith("Lovely team lunch today.")
    assert "[remove: The CCG is a complete farce though.]" in review.rewrite


def test_consent_silences_the_photo_finding(reviewer):
    draft = "Snaps from the office quiz night 📸 everyone agreed to be in them"
    assert "photo_consent" not in categories(reviewer.review(draft))


def test_an_attached_image_gets_the_photo_and_logo_reminder(reviewer):
    review = reviewer.review("Look who I bumped into today!", attachments=("image/jpeg",))
    finding = next(f for f in review.findings if f.category == "photo_consent")
    assert "logo" in finding.advice and finding.evidence == "(the attached image)"


def test_clinical_vocabulary_is_not_sexual_content(reviewer):
    draft = "Our sexual health clinic now offers walk-in STI testing every Tuesday"
    assert "sexual" not in categories(reviewer.review(draft))


def test_input_limits_give_notices_not_findings(reviewer):
    assert "no draft" in reviewer.review("  ").notice
    assert "couldn't read" in reviewer.review(b"\x00\x01\x02").notice
    assert "40,001 characters" in reviewer.review("a" * 40_001).notice
    long_but_allowed = ("Lovely day in the office. " * 1600)[:40_000]
    assert reviewer.review(long_but_allowed).notice == ""


@pytest.mark.parametrize("junk", ["1 " * 20_000, "0" * 40_000, "a@" * 20_000, "bed " * 10_000, "Mrs " * 10_000,
                                  "😂" * 20_000, "the CCG is " * 3_600, "not " * 10_000, ". " * 20_000])
def test_adversarial_input_is_reviewed(reviewer, junk):
    review = reviewer.review(junk)
    # Reviewed, or refused with a notice and no verdict: never a crash.
    assert review.verdict in ("ok", "caution", "breach_risk") or (review.notice and review.verdict is None)


def test_json_shape_matches_the_interface(reviewer):
    data = reviewer.review("Put the CCG logo on our five-a-side team shirts 😎").to_json()
    assert set(data) == {"text", "verdict", "findings", "rewrite"}
    assert set(data["findings"][0]) == {"category", "clause", "severity", "evidence", "advice"}


def test_a_protest_against_the_ccg_is_not_speaking_for_it(reviewer):
    review = reviewer.review("If the CCG closes our clinic we'll be outside their offices every day with banners.")
    assert "speaking_for_org" not in categories(review)
