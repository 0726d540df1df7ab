"""The Teams app package: `manifest/manifest.json` with the bot's Microsoft App ID filled in, and
its two icons, zipped flat, ready to upload in Teams ("Apps" → "Manage your apps" → "Upload an
app") or in the Teams admin centre.

The manifest is a template: every `{{MICROSOFT_APP_ID}}` (the app's id and the bot's) becomes the
id of the Azure Bot registration, the `MICROSOFT_APP_ID` setting. The developer name and addresses
in it are placeholders (example.nhs.uk) for an organisation to change before it publishes the app
to its staff; `manifest_dir` builds from a copy of the folder where they have been changed.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

MANIFEST_DIR = Path(__file__).with_name("manifest")
PLACEHOLDER = "{{MICROSOFT_APP_ID}}"
SETTING = "MICROSOFT_APP_ID"
DEFAULT_OUT = Path("snp-bot-teams.zip")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
#: The icons Teams requires, by the manifest's name for each, with their size in pixels.
ICONS = {"color": 192, "outline": 32}
#: A fixed time for the zip's entries, so the same manifest always makes the same package.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
#: Teams' limits on the manifest's words (schema 1.17).
LIMITS = {("name", "short"): 30, ("name", "full"): 100, ("description", "short"): 80,
          ("description", "full"): 4000}


def build_package(app_id: str, out: Path, *, manifest_dir: Path | None = None) -> Path:
    """Write the app package to `out` (a zip of manifest.json, color.png and outline.png at its
    root; inside `out` as snp-bot-teams.zip when `out` is a folder) and return its path.

    ValueError, naming MICROSOFT_APP_ID, when `app_id` is not a GUID; ValueError naming the file
    when the manifest folder is not fit to make a package (a placeholder left, an icon missing or
    of the wrong size, words too long for Teams).
    """
    app_id = (app_id or "").strip()
    if not app_id:
        raise ValueError(f"{SETTING} is not set: set it to the Microsoft App ID of the bot's Azure Bot registration "
                         "(a GUID, such as 00000000-0000-0000-0000-000000000000).")
    if not GUID.match(app_id):
        # The value is not echoed: a secret (the app password) is sometimes pasted here by mistake.
        raise ValueError(f"{SETTING} is not a GUID ({len(app_id)} characters): it must be the Microsoft App ID of "
                         "the bot's Azure Bot registration, such as 00000000-0000-0000-0000-000000000000.")
    folder = Path(manifest_dir) if manifest_dir is not None else MANIFEST_DIR
    path = folder / "manifest.json"
    try:
        text = path.read_text(encoding="utf-8").replace(PLACEHOLDER, app_id)
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if left := re.search(r"\{\{[^{}]*\}\}", text):
        raise ValueError(f"{path}: the placeholder {left.group(0)} is left; only {PLACEHOLDER} is filled in")
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from None
    icons = _check(manifest, path, folder)
    target = Path(out)
    if target.is_dir():
        target = target / DEFAULT_OUT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "manifest.json", text.encode("utf-8"))
            for name, data in icons.items():
                _add(archive, name, data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _check(manifest: Any, path: Path, folder: Path) -> dict[str, bytes]:
    """What Teams would refuse the package for, caught here with the file named; the icons'
    bytes by their names."""
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: not a JSON object")  # noqa: TRY004 - a bad file, said like the others
    for (section, key), limit in LIMITS.items():
        words = (manifest.get(section) or {}).get(key)
        if not isinstance(words, str) or not words.strip():
            raise ValueError(f"{path}: {section}.{key} is missing")
        if len(words) > limit:
            raise ValueError(f"{path}: {section}.{key} is {len(words)} characters; Teams takes {limit}")
    if not all(GUID.match(str(bot.get("botId", ""))) for bot in manifest.get("bots") or [{}]):
        raise ValueError(f"{path}: bots[].botId is not a GUID")
    icons: dict[str, bytes] = {}
    for kind, size in ICONS.items():
        name = (manifest.get("icons") or {}).get(kind)
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise ValueError(f"{path}: icons.{kind} must name a file beside manifest.json")
        try:
            data = (folder / name).read_bytes()
        except OSError:
            raise ValueError(f"{folder / name}: missing (icons.{kind} of manifest.json)") from None
        if png_size(data) != (size, size):
            raise ValueError(f"{folder / name}: Teams needs a {size}×{size} PNG for icons.{kind}")
        icons[name] = data
    return icons


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG from its header, or None when `data` is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def run_package(settings: Any, out: Path | None) -> int:
    """`snp-bot teams package [OUT]`: write the package from `settings.microsoft_app_id` and print
    its path (0); a missing or wrong MICROSOFT_APP_ID, or a manifest folder unfit to package, is
    said on stderr (2); a package that cannot be written, too (1)."""
    try:
        path = build_package(getattr(settings, "microsoft_app_id", "") or "", out or DEFAULT_OUT)
    except ValueError as exc:
        print(f"snp-bot teams package: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"snp-bot teams package: cannot write {out or DEFAULT_OUT}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
