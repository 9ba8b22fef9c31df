"""Every string literal written in the extractor's tests, as sample text for whole-suite checks."""
from __future__ import annotations

import ast
from pathlib import Path

HERE = Path(__file__).parent


def all_test_sentences() -> list[str]:
    texts = []
    for path in sorted(HERE.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 15:
                texts.append(node.value)
    return texts
