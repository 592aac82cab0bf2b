"""The analysis version: this package's rules, the user's settings and the analyzers' packages.

It is part of the index version, so that an index is rebuilt instead of mixing two analyses when
any of them changes.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache

from searchclip.analyzers.settings import AnalysisSettings

# Bump when this package's own rules change (tags kept, normalization, segmentation).
ANALYSIS_VERSION = 6
ANALYZER_PACKAGES = ("kiwipiepy", "kiwipiepy-model", "sudachipy", "sudachidict-core", "PyStemmer")


def analysis_version(settings: AnalysisSettings) -> str:
    return ",".join([f"analysis{ANALYSIS_VERSION}", f"settings={settings.fingerprint()}", *_package_versions()])


@cache
def _package_versions() -> tuple[str, ...]:
    """Read once per process: package metadata costs milliseconds on every search otherwise."""
    return tuple(f"{package}={installed_version(package) or '?'}" for package in ANALYZER_PACKAGES)


def installed_version(package: str) -> str | None:
    """The installed version of `package`, from its `NAME-VERSION.dist-info` folder name.

    A cold search pays for every import: importlib.metadata costs about 25 ms to import, a listing
    of site-packages well under 1 ms. Packages without a dist-info folder (eggs, zip imports) are
    looked up with importlib.metadata.
    """
    found = _dist_info_versions().get(_normalized(package))
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as metadata_version

    try:
        return metadata_version(package)
    except PackageNotFoundError:
        return None


@cache
def _dist_info_versions() -> dict[str, str]:
    """Normalized distribution name → version, the first found in sys.path order, as imports do.

    The working folder (`''` under `python -m`) is skipped: it can hold thousands of clippings
    and no installed package.
    """
    found: dict[str, str] = {}
    for entry in dict.fromkeys(sys.path):
        if not entry or not os.path.isdir(entry):
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            stem, dash, version = name.removesuffix(".dist-info").rpartition("-")
            if name.endswith(".dist-info") and dash:
                found.setdefault(_normalized(stem), version)
    return found


def _normalized(name: str) -> str:
    """A distribution name as wheels spell it in file names (PEP 503 and 427): `kiwipiepy_model`."""
    return re.sub(r"[-_.]+", "_", name).lower()
