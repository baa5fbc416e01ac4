import dataclasses

from lgtmgen.toolchain.version_choice import Offer, choose_version, parse_madison
from lgtmgen.toolchain.versions import ALERTMANAGER, PROMTOOL

MIRROR = "http://mirror.example.test/debian"
BOTH_SUITES = f"""\
  promtool | 3.5.3+ds1-6 | {MIRROR} testing/main amd64 Packages
  promtool | 2.53.3+ds1-2 | {MIRROR} stable/main amd64 Packages
prometheus-alertmanager |   0.33.1-5 | {MIRROR} testing/main amd64 Packages
prometheus-alertmanager | 0.28.1+ds-1 | {MIRROR} stable/main amd64 Packages
"""
TESTING_MOVED_ON = f"""\
  promtool | 3.6.0+ds1-1 | {MIRROR} testing/main amd64 Packages
  promtool | 2.53.3+ds1-2 | {MIRROR} stable/main amd64 Packages
"""


def test_madison_lines_become_offers_with_their_suite() -> None:
    offers = parse_madison(BOTH_SUITES + "N: Unable to locate package nosuch\n")

    assert offers[0] == Offer("promtool", "3.5.3+ds1-6", "testing")
    assert offers[3] == Offer("prometheus-alertmanager", "0.28.1+ds-1", "stable")
    assert len(offers) == 4


def test_source_package_lines_are_not_offers() -> None:
    text = f"prometheus | 3.5.3+ds1-6 | {MIRROR} testing/main Sources\n"

    assert parse_madison(text) == []


def test_pinned_testing_version_is_preferred() -> None:
    choice = choose_version(PROMTOOL, parse_madison(BOTH_SUITES))

    assert choice is not None
    assert (choice.pin.version, choice.suite, choice.fell_back) == ("3.5.3+ds1-6", "testing", False)
    assert choice.describe(PROMTOOL) == "promtool 3.5.3+ds1-6 from testing (pinned)"


def test_stable_pin_is_taken_when_testing_has_moved_on() -> None:
    choice = choose_version(PROMTOOL, parse_madison(TESTING_MOVED_ON))

    assert choice is not None
    assert (choice.pin.version, choice.suite, choice.fell_back) == ("2.53.3+ds1-2", "stable", True)
    assert choice.describe(PROMTOOL) == (
        "promtool 2.53.3+ds1-2 from stable"
        " (fallback: pinned testing 3.5.3+ds1-6 is no longer offered)"
    )


def test_nothing_is_chosen_when_neither_pin_is_offered() -> None:
    text = f"  promtool | 3.6.0+ds1-1 | {MIRROR} testing/main amd64 Packages\n"

    assert choose_version(PROMTOOL, parse_madison(text)) is None
    assert choose_version(ALERTMANAGER, parse_madison(TESTING_MOVED_ON)) is None


def test_a_near_version_is_not_taken_for_the_pin() -> None:
    text = f"  promtool | 3.5.3+ds1-7 | {MIRROR} testing/main amd64 Packages\n"

    assert choose_version(PROMTOOL, parse_madison(text)) is None


def test_preferred_pin_found_only_in_stable_is_still_the_pin() -> None:
    text = f"  promtool | 3.5.3+ds1-6 | {MIRROR} stable/main amd64 Packages\n"

    choice = choose_version(PROMTOOL, parse_madison(text))

    assert choice is not None
    assert (choice.suite, choice.fell_back) == ("stable", False)


def test_identical_pins_never_report_a_fallback() -> None:
    same = dataclasses.replace(PROMTOOL, fallback=PROMTOOL.preferred)

    choice = choose_version(same, parse_madison(BOTH_SUITES))

    assert choice is not None and not choice.fell_back
