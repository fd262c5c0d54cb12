"""The hazard log (docs/clinical-safety/hazard-log.md) cannot drift from the
code silently: every hazard has every field, its ratings agree with the
DCB0129 matrix, the hazards issue 19 names are there, and every test it
names exists. Test ids are found by parsing the test files with ast, not by
running pytest (the suite itself shows whether they pass)."""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "clinical-safety"
LOG = DOCS / "hazard-log.md"

FIELDS = (
    "Cause",
    "Effect",
    "Initial severity",
    "Initial likelihood",
    "Initial risk",
    "Mitigation",
    "Tests",
    "Residual severity",
    "Residual likelihood",
    "Residual risk",
    "Residual",
)

# Rows likelihood 1..5 (Very low .. Very high), columns severity 1..5 (Minor ..
# Catastrophic), as the clinical risk management plan states it.
MATRIX = {
    5: (3, 4, 4, 5, 5),
    4: (2, 3, 3, 4, 5),
    3: (2, 2, 3, 3, 4),
    2: (1, 2, 2, 3, 4),
    1: (1, 1, 2, 2, 3),
}
SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")

# What issue 19 says the log must at least hold (a word of each title).
REQUIRED = (
    "missed risk disclosure",
    "false alarms",
    "alert not acknowledged",
    "leaking across pathways",
    "harmful content",
    "contagion",
    "lost messages",
    "impersonation of staff",
    "child in an adult pathway",
    "unavailability out of hours",
    "lock screen or email",
    "wrong person invited",
    "data lost on erasure",
)

HAZARD = re.compile(r"^## (H-\d\d): (.+)$", re.MULTILINE)
FIELD = re.compile(r"^- \*\*([^*]+):\*\*\s*(.*)$")
TEST_ID = re.compile(r"`(tests/[^`]+\.py::[^`]+)`")


def hazards() -> dict[str, dict]:
    text = LOG.read_text()
    found: dict[str, dict] = {}
    heads = list(HAZARD.finditer(text))
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        body = text[head.end() : end]
        fields: dict[str, str] = {}
        for line in body.splitlines():
            match = FIELD.match(line)
            if match:
                fields[match.group(1).strip()] = match.group(2).strip()
        fields["title"] = head.group(2)
        fields["test ids"] = TEST_ID.findall(body)
        found[head.group(1)] = fields
    return found


@cache
def node_names_in(path: Path) -> frozenset[str]:
    """`name` and `Class::name` of each test function in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    ids = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            ids.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, functions) and item.name.startswith("test"):
                    ids.add(f"{node.name}::{item.name}")
    return frozenset(ids)


def exists(node_id: str) -> bool:
    file, _sep, name = node_id.partition("::")
    path = ROOT / file
    if not path.is_file():
        return False
    return name.split("[", 1)[0] in node_names_in(path)


def level(value: str, names: tuple[str, ...]) -> int:
    """'4 Major' -> 4, checking the number and the name agree."""
    number, _space, name = value.partition(" ")
    assert names[int(number) - 1] == name, value
    return int(number)


def test_the_three_documents_are_there():
    for name in (
        "clinical-risk-management-plan.md",
        "hazard-log.md",
        "safety-case-report.md",
    ):
        assert (DOCS / name).read_text().strip()


def test_every_hazard_has_every_field_and_at_least_one_test():
    found = hazards()
    assert len(found) >= len(REQUIRED)
    for hazard_id, fields in found.items():
        # "Tests" heads a list of ids on the lines below it: present, then ids.
        missing = [
            name
            for name in FIELDS
            if name not in fields or (name != "Tests" and not fields[name])
        ]
        assert missing == [], (hazard_id, missing)
        assert fields["test ids"], (hazard_id, "names no test")


def test_issue_19s_hazards_are_all_in_the_log():
    titles = " | ".join(fields["title"].lower() for fields in hazards().values())
    assert [wanted for wanted in REQUIRED if wanted not in titles] == []


def test_each_rating_is_the_matrix_cell_of_its_severity_and_likelihood():
    for hazard_id, fields in hazards().items():
        for when in ("Initial", "Residual"):
            severity = level(fields[f"{when} severity"], SEVERITIES)
            likelihood = level(fields[f"{when} likelihood"], LIKELIHOODS)
            stated = int(fields[f"{when} risk"].split()[0])
            assert MATRIX[likelihood][severity - 1] == stated, (hazard_id, when)


def test_every_named_test_exists():
    missing = [
        (hazard_id, node_id)
        for hazard_id, fields in hazards().items()
        for node_id in fields["test ids"]
        if not exists(node_id)
    ]
    assert missing == []


def test_the_checker_finds_a_missing_test_and_a_missing_field(tmp_path):
    """The checks above would fail on a broken log (checked on the parser's
    own pieces, not by editing the real log)."""
    assert exists("tests/cms/test_clinical_safety.py::test_every_named_test_exists")
    assert not exists("tests/cms/test_clinical_safety.py::test_that_is_not_there")
    assert not exists("tests/nowhere/test_missing.py::test_anything")
    broken = FIELD.match("- **Cause:**")
    assert broken is not None and broken.group(2) == ""
