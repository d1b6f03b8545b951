"""The SVG charts are well-formed XML, carry a title, and use no style attributes (CSP)."""

import re
import xml.etree.ElementTree as ET

from app.reports.charts import Series, _nice_max, _whole_max, bar_chart, hbar_chart, line_chart
from tests.factories import web_login

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
    return root


def test_line_chart():
    root = parse(line_chart("Aktif <bulan>", ["Jan", "Feb", "Mar"], [Series("Aktif", [1, None, 30])], suffix="%"))
    assert root.find(f"{SVG}title").text == "Aktif <bulan>"
    assert len(root.findall(f"{SVG}circle")) == 2
    assert root.findall(f"{SVG}polyline") == []  # the gap leaves no segment of two points


def test_bar_and_hbar_charts():
    root = parse(bar_chart("Baru & berhenti", ["a", "b"], [Series("Baru", [3, 0]), Series("Berhenti", [0, 7])]))
    bars = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 4
    heights = [float(r.get("height")) for r in bars]
    assert max(heights) > 0 and min(heights) == 0
    root = parse(hbar_chart("Tahap", [("Calon", 4), ("Diresmikan", 0)]))
    assert "Calon: 4" in root.find(f"{SVG}desc").text
    parse(line_chart("Kosong", [], []))  # no data still draws


def test_axis_top_is_round():
    assert [_nice_max(v) for v in (0, 1, 3, 7, 12, 180, 2400)] == [1, 1, 5, 10, 20, 200, 2500]


def test_axis_of_people_has_whole_ticks():
    assert [_whole_max(v) for v in (0, 1, 2, 3, 7, 9, 12, 180)] == [4, 4, 4, 4, 8, 12, 20, 200]
    root = parse(bar_chart("Baru", ["Jan", "Feb"], [Series("Baru", [1, 2])], whole=True))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "1", "2", "3", "4"]
    fractions = parse(bar_chart("Baru", ["Jan", "Feb"], [Series("Baru", [1, 2])]))
    assert "0,5" in [t.text for t in fractions.iter(f"{SVG}text")]  # what whole=True prevents


def test_dashboard_page_svgs_are_well_formed(client, world):
    web_login(client, world.wilayah)
    html = client.get("/dashboard?scope=region").text
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 4
    for svg in svgs:
        parse(svg)
    assert not re.search(r"\sstyle=", html)
