#!/usr/bin/env python3
"""Copy the pinned browser libraries from node_modules into fangkong/static/vendor/.

Why this exists: the platform must run on networks that cannot reach a CDN, so the
JavaScript it needs is served by Django (whitenoise) like any other static file. npm,
driven by the committed package-lock.json, is only the download-and-verify step; this
script is the single place that knows which file of each package the browser loads.

Run after ``npm ci --no-audit --no-fund``. Stdlib only, so it works before the Python
virtualenv exists. Idempotent: files already identical are left alone, and a second
run changes nothing.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
LOCKFILE = ROOT / "package-lock.json"
VENDOR_DIR = ROOT / "fangkong" / "static" / "vendor"


@dataclass(frozen=True)
class Asset:
    """One file the browser loads: where npm puts it and the stable name templates use."""

    package: str
    source: str  # path inside the package
    target: str  # file name under static/vendor/


ASSETS: tuple[Asset, ...] = (
    Asset("echarts", "dist/echarts.min.js", "echarts.min.js"),
    Asset("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
)

# Licence texts travel with the redistributed files (Apache-2.0 requires LICENSE + NOTICE).
# Optional: a package that ships none is simply skipped.
LICENCE_FILES: tuple[str, ...] = ("LICENSE", "NOTICE")


class VendorError(Exception):
    """A problem the person running the build must fix; printed without a traceback."""


def locked_versions() -> dict[str, str]:
    """Versions package-lock.json pins, so a stale node_modules is caught, not shipped."""
    if not LOCKFILE.is_file():
        raise VendorError(f"{LOCKFILE} is missing; it is committed, restore it from git.")
    packages = json.loads(LOCKFILE.read_text(encoding="utf-8")).get("packages", {})
    return {
        name.removeprefix("node_modules/"): meta["version"]
        for name, meta in packages.items()
        if name.startswith("node_modules/") and "version" in meta
    }


def check_installed(package: str, locked: dict[str, str]) -> Path:
    """Return the package dir, failing if it is absent or not the locked version."""
    package_dir = NODE_MODULES / package
    manifest = package_dir / "package.json"
    if not manifest.is_file():
        raise VendorError(
            f"{package_dir} not found. Install the JavaScript dependencies first:\n"
            f"    cd {ROOT} && npm ci --no-audit --no-fund"
        )
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    wanted = locked.get(package)
    if wanted is None:
        raise VendorError(f"{package} is not in {LOCKFILE.name}; add it to package.json.")
    if installed != wanted:
        raise VendorError(
            f"node_modules has {package} {installed} but {LOCKFILE.name} pins {wanted}; "
            f"run `npm ci --no-audit --no-fund` to resync."
        )
    return package_dir


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy only when the bytes differ, so reruns do not touch mtimes. True if copied."""
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)  # atomic: a running dev server never serves half a file
    return True


def vendor() -> list[str]:
    """Copy every asset and its licence texts; return one log line per file."""
    if not NODE_MODULES.is_dir():
        raise VendorError(
            f"{NODE_MODULES} does not exist. Install the JavaScript dependencies first:\n"
            f"    cd {ROOT} && npm ci --no-audit --no-fund"
        )
    locked = locked_versions()
    log: list[str] = []
    for asset in ASSETS:
        package_dir = check_installed(asset.package, locked)
        source = package_dir / asset.source
        if not source.is_file():
            raise VendorError(
                f"{asset.package} {locked[asset.package]} has no {asset.source}; "
                f"the package layout changed, update ASSETS in {Path(__file__).name}."
            )
        copied = copy_if_changed(source, VENDOR_DIR / asset.target)
        log.append(
            f"{'copied   ' if copied else 'unchanged'} {asset.target} "
            f"({asset.package} {locked[asset.package]})"
        )
        for licence in LICENCE_FILES:
            licence_source = package_dir / licence
            if licence_source.is_file():
                name = f"{asset.package}.{licence}.txt"
                copied = copy_if_changed(licence_source, VENDOR_DIR / "licenses" / name)
                log.append(f"{'copied   ' if copied else 'unchanged'} licenses/{name}")
    return log


def main() -> int:
    try:
        log = vendor()
    except VendorError as exc:
        print(f"vendor_assets: error: {exc}", file=sys.stderr)
        return 1
    for line in log:
        print(f"vendor_assets: {line}")
    print(f"vendor_assets: {len(ASSETS)} assets in {VENDOR_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
