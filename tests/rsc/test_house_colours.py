"""Badges, the pager and Bootstrap's "info" colours come from the house palette in static/css/rsc.css,
and every text/background pair among them reads at 4.5:1 or more (WCAG 1.4.3)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "rsc.css").read_text(encoding="utf-8")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
DECLARATION = re.compile(r"([\w-]+)\s*:\s*([^;]+);?")
VAR = re.compile(r"var\((--[\w-]+)\)")
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
# Bootstrap's classes in its cyan ("info") colours, which clash with the palette.
CYAN_CLASSES = re.compile(r"\b(?:text-bg-info|bg-info|btn-info|btn-outline-info|text-info|link-info|border-info)\b")


def rules() -> list[tuple[str, dict[str, str]]]:
    without_comments = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    # Media queries nest rules one level down; the pattern reads the inner ones.
    return [
        (selector.strip(), {name: value.strip() for name, value in DECLARATION.findall(body)})
        for selector, body in RULE.findall(without_comments)
    ]


def root() -> dict[str, str]:
    return next(declarations for selector, declarations in rules() if selector == ":root")


def house_palette() -> dict[str, str]:
    return {name: value.lower() for name, value in root().items() if name.startswith("--rsc-") and HEX.fullmatch(value)}


def resolve(value: str) -> str:
    """The colour a value comes to, following var(--…) through :root."""
    variables = root()
    for _ in range(5):
        match = VAR.fullmatch(value.strip())
        if not match:
            break
        value = variables[match.group(1)]
    return value.strip().lower()


def is_house_colour(value: str) -> bool:
    """A palette colour (named by its variable) or plain white."""
    value = value.strip().lower()
    match = VAR.fullmatch(value)
    return (match is not None and match.group(1) in house_palette()) or value in {"#fff", "#ffffff"}


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted([luminance(one), luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def badge_rules() -> list[tuple[str, dict[str, str]]]:
    found = [
        (selector, declarations)
        for selector, declarations in rules()
        if "badge" in selector and "color" in declarations and ("background" in declarations)
    ]
    assert len(found) >= 10
    return found


def test_every_badge_takes_its_colours_from_the_palette_and_reads_clearly():
    assert contrast("#000", "#fff") == pytest.approx(21)  # computed as WCAG does
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)
    for selector, declarations in badge_rules():
        text, ground = declarations["color"], declarations["background"]
        assert is_house_colour(text) and is_house_colour(ground), f"{selector}: {text} on {ground}"
        ratio = contrast(resolve(text), resolve(ground))
        assert ratio >= 4.5, f"{selector}: {text} on {ground} is {ratio:.2f}:1"


def test_something_new_is_marked_in_the_house_teal():
    declarations = dict(badge_rules())[".badge-new"]
    assert (resolve(declarations["background"]), resolve(declarations["color"])) == ("#2f6f6a", "#fff")


def test_the_pager_uses_the_palette_and_each_state_reads_clearly():
    pager = dict(rules()).get(".pagination")
    assert pager is not None, "rsc.css sets the pager's colours"
    for state in ["", "hover-", "focus-", "active-", "disabled-"]:
        text, ground = pager[f"--bs-pagination-{state}color"], pager[f"--bs-pagination-{state}bg"]
        assert is_house_colour(text) and is_house_colour(ground), f"{state or 'link'}: {text} on {ground}"
        assert contrast(resolve(text), resolve(ground)) >= 4.5, f"{state or 'link'}: {text} on {ground}"
    assert is_house_colour(pager["--bs-pagination-active-border-color"])
    assert pager["--bs-pagination-focus-box-shadow"] == "none"  # the house focus ring instead of a blue glow


def test_bootstraps_info_colours_are_the_house_teal():
    variables = root()
    assert resolve(variables["--bs-info"]) == house_palette()["--rsc-teal"]
    assert variables["--bs-info-rgb"].replace(" ", "") == "47,111,106"
    # alert-info: its text on its ground.
    text, ground = resolve(variables["--bs-info-text-emphasis"]), resolve(variables["--bs-info-bg-subtle"])
    assert contrast(text, ground) >= 4.5
    assert all(is_house_colour(variables[name]) for name in ["--bs-info-text-emphasis", "--bs-info-bg-subtle"])
    # A stray text-bg-info: white on the teal.
    assert dict(rules())[".text-bg-info"]["color"].startswith("#fff")
    assert contrast("#fff", resolve(variables["--bs-info"])) >= 4.5


def test_no_template_names_bootstraps_cyan_classes():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in CYAN_CLASSES.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
