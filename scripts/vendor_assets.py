#!/usr/bin/env python3
"""Copy the pinned browser libraries from node_modules into fangkong/static/vendor/.

Why this exists: the platform must run on networks that cannot reach a CDN, so the
JavaScript it needs is served by Django (whitenoise) like any other static file. npm,
driven by the committed package-lock.json, is only the download-and-verify step; this
script is the single place that knows which file of each package the browser loads.

Some libraries are too big to ship whole: the chart library is bundled from its ES
modules with only the charts the pages use (``BUNDLES``, built by esbuild, an npm
devDependency; docs/decisions/chart-bundle.md).

Run after ``npm ci --no-audit --no-fund``. Stdlib only, so it works before the Python
virtualenv exists. Idempotent: files already identical are left alone, and a second
run changes nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
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
    Asset("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
)


@dataclass(frozen=True)
class Bundle:
    """A file built from a package's modules by esbuild: an entry under scripts/bundles/."""

    package: str  # the library bundled (its version is checked)
    entry: str  # path under scripts/bundles/
    target: str  # file name under static/vendor/
    includes: tuple[str, ...] = ()  # other packages bundled in: their licences travel too


BUNDLES: tuple[Bundle, ...] = (
    # ECharts core with the line and bar charts, grid, legend, tooltip, canvas renderer.
    Bundle("echarts", "charts.js", "charts.min.js", includes=("zrender", "tslib")),
)
BUNDLE_DIR = ROOT / "scripts" / "bundles"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"

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
        log += copy_licences(asset.package, package_dir)
    for bundle in BUNDLES:
        package_dir = check_installed(bundle.package, locked)
        with tempfile.TemporaryDirectory(prefix="fk-bundle-") as tmp:
            copied = copy_if_changed(build(bundle, Path(tmp)), VENDOR_DIR / bundle.target)
        log.append(
            f"{'built    ' if copied else 'unchanged'} {bundle.target} "
            f"({bundle.package} {locked[bundle.package]}, {bundle.entry})"
        )
        log += copy_licences(bundle.package, package_dir)
        for included in bundle.includes:
            log += copy_licences(included, check_installed(included, locked))
    return log


def copy_licences(package: str, package_dir: Path) -> list[str]:
    log = []
    for licence in LICENCE_FILES:
        licence_source = package_dir / licence
        if licence_source.is_file():
            name = f"{package}.{licence}.txt"
            copied = copy_if_changed(licence_source, VENDOR_DIR / "licenses" / name)
            log.append(f"{'copied   ' if copied else 'unchanged'} licenses/{name}")
    return log


def build(bundle: Bundle, tmp: Path) -> Path:
    """Bundle ``bundle.entry`` with esbuild (minified, one IIFE) into ``tmp``; return it."""
    if not ESBUILD.is_file():
        raise VendorError(
            f"{ESBUILD} not found (esbuild is a devDependency). Install the JavaScript "
            f"dependencies first:\n    cd {ROOT} && npm ci --no-audit --no-fund"
        )
    out = tmp / bundle.target
    result = subprocess.run(
        [str(ESBUILD), str(BUNDLE_DIR / bundle.entry), "--bundle", "--minify",
         "--format=iife", "--target=es2017", "--legal-comments=none", "--log-level=error",
         f"--outfile={out}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not out.is_file():
        raise VendorError(f"esbuild failed on {bundle.entry}:\n{result.stderr.strip()}")
    return out


def main() -> int:
    try:
        log = vendor()
    except VendorError as exc:
        print(f"vendor_assets: error: {exc}", file=sys.stderr)
        return 1
    for line in log:
        print(f"vendor_assets: {line}")
    print(f"vendor_assets: {len(ASSETS) + len(BUNDLES)} assets in {VENDOR_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
