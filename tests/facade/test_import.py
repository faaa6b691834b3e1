"""`import reelforge` stays cheap: no vendor client, no httpx, until a name is used."""

from __future__ import annotations

import json

import reelforge
from tests.support import REPO, run_python

# The source tree, not the installed copy: what is being changed is what is measured.
_SOURCE = {"PYTHONPATH": str(REPO / "src")}

_PROBE = """
import json, sys
import reelforge
heavy = sorted(m for m in sys.modules if m.startswith("reelforge_") or m == "httpx" or m.startswith("httpx."))
print(json.dumps(heavy))
"""


def test_import_reelforge_imports_no_client_and_no_httpx():
    done = run_python("-c", _PROBE, env=_SOURCE)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_studio_imports_only_the_vendors_it_talks_to():
    probe = """
import json, sys
from reelforge import Studio
with Studio(keys={"hedra": "k"}) as studio:
    studio.client("hedra")
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules if m.startswith("reelforge_"))))
"""
    done = run_python("-c", probe, env=_SOURCE)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) == {"reelforge_hedra"}


def test_every_public_name_resolves():
    for name in reelforge.__all__:
        assert getattr(reelforge, name) is not None, name
    assert "Studio" in dir(reelforge)
