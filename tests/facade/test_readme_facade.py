"""The facade example in each generated README runs as written against the sandbox: the key and the server come
from the variables the README names (the facade's clients read them), and only the output folder differs."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from reelforge.sandbox.media import is_valid_mp4
from reelforge.sandbox.server import Sandbox
from tests.facade.conftest import KEY
from tests.support import REPO, VENDORS

_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _facade_example(vendor: str) -> str:
    readme = (REPO / "generated" / vendor / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in _BLOCK.findall(readme) if "from reelforge import Studio" in b]
    return str(block)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_readme_facade_example_makes_a_video(
    sandbox: Sandbox, vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _facade_example(vendor)
    variable = re.search(r"the key from ([A-Z_]+)", code)
    assert variable is not None, code
    monkeypatch.setenv(variable.group(1), KEY)
    package = importlib.import_module(f"reelforge_{vendor}")
    monkeypatch.setenv(package.BASE_URL_ENV, sandbox.base_url(vendor))
    assert code.count('"out/"') == 1
    code = code.replace('"out/"', repr(str(tmp_path)))
    scope: dict[str, object] = {}
    exec(
        compile(code, f"generated/{vendor}/README.md", "exec"), scope
    )  # our own README example, as a user would paste it
    paths = scope["paths"]
    assert isinstance(paths, list) and paths
    assert all(is_valid_mp4(Path(path).read_bytes()) for path in paths)
