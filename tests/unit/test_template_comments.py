"""Django's {# … #} comment ends on its own line: one spread over two lines is printed to the
reader as text (it happened on the first printed page of the review pack)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_it_finds_no_comment_tag_spanning_lines():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            tail = line
            while "{#" in tail:
                tail = tail[tail.index("{#") + 2 :]
                if "#}" not in tail:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}")
                    break
                tail = tail[tail.index("#}") + 2 :]
    assert not found, "{# … #} over several lines (use {% comment %}): " + ", ".join(found)
