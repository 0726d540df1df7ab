"""The Teams app package: the manifest with the bot's id filled in and its two icons, flat in a
zip Teams takes; a MICROSOFT_APP_ID that is not a GUID is refused, naming the setting."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.teams.package import MANIFEST_DIR, build_package, png_size, run_package
from bot.config import Settings

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def pixels(data: bytes) -> list[list[tuple[int, ...]]]:
    """The RGBA rows of an 8-bit RGBA, non-interlaced PNG (what Teams' icons are), unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    assert (depth, color, interlace) == (8, 6, 0), "8-bit RGBA, not interlaced"
    chunks, at = b"", 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks += data[at + 8:at + 8 + length]
        at += 12 + length
    raw, stride, rows, previous = zlib.decompress(chunks), width * 4, [], bytes(width * 4)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - 4] if x >= 4 else 0
            up, corner = previous[x], previous[x - 4] if x >= 4 else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[x] = (line[x] + near[2]) & 0xFF
        previous = bytes(line)
        rows.append([tuple(line[i:i + 4]) for i in range(0, stride, 4)])
    return rows


def test_the_package_holds_the_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    path = build_package(APP_ID, tmp_path / "out" / "snp-bot-teams.zip")
    assert path == tmp_path / "out" / "snp-bot-teams.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        text = archive.read("manifest.json").decode("utf-8")
        color, outline = archive.read("color.png"), archive.read("outline.png")
    assert "{{" not in text and "}}" not in text
    assert text.count(APP_ID) == 2
    manifest = json.loads(text)
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert png_size(color) == (192, 192) and png_size(outline) == (32, 32)


def test_the_manifest(tmp_path: Path) -> None:
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["$schema"] == "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
    assert (manifest["manifestVersion"], manifest["version"]) == ("1.17", "1.0.0")
    assert manifest["id"] == manifest["bots"][0]["botId"] == "{{MICROSOFT_APP_ID}}"
    assert manifest["name"]["short"] == "snp-bot" and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80 and len(manifest["description"]["full"]) <= 4000
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"] == "#005EB8"
    assert all(url.startswith("https://") for key, url in manifest["developer"].items() if key.endswith("Url"))
    [bot] = manifest["bots"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert (bot["supportsFiles"], bot["isNotificationOnly"]) == (False, False)
    [commands] = bot["commandLists"]
    assert commands["scopes"] == ["personal"]
    assert [c["title"] for c in commands["commands"]] == ["check", "report", "help"]
    assert all(len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128 for c in commands["commands"])
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == []


def test_the_icons_are_what_teams_asks_for() -> None:
    color = pixels((MANIFEST_DIR / "color.png").read_bytes())
    assert (len(color), len(color[0])) == (192, 192)
    assert color[0][0] == color[191][191] == (0x00, 0x5E, 0xB8, 255)  # NHS blue, opaque
    assert (255, 255, 255, 255) in {px for row in color for px in row}  # and a white shape on it
    outline = pixels((MANIFEST_DIR / "outline.png").read_bytes())
    assert (len(outline), len(outline[0])) == (32, 32)
    seen = {px for row in outline for px in row}
    assert {(r, g, b) for r, g, b, a in seen if a} == {(255, 255, 255)}  # white only
    assert outline[0][0][3] == 0 and any(a == 255 for _, _, _, a in seen)  # on transparent


def test_a_folder_as_out_gets_the_default_name_and_the_same_manifest_makes_the_same_zip(tmp_path: Path) -> None:
    first = build_package(APP_ID, tmp_path)
    assert first == tmp_path / "snp-bot-teams.zip"
    again = build_package(APP_ID, tmp_path / "again.zip")
    assert first.read_bytes() == again.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("app_id", ["", "   ", "not-a-guid", "{{MICROSOFT_APP_ID}}",
                                    "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e04f8911d39a0c0305e82c3301"])
def test_an_app_id_that_is_not_a_guid_is_refused(tmp_path: Path, app_id: str) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        build_package(app_id, tmp_path / "snp-bot-teams.zip")
    assert not list(tmp_path.iterdir())


def test_a_manifest_folder_unfit_to_package_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "packageName": "{{PACKAGE}}"}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"\{\{PACKAGE\}\} is left"):
        build_package(APP_ID, tmp_path / "a.zip", manifest_dir=folder)
    long = {**manifest["description"], "short": "x" * 81}
    (folder / "manifest.json").write_text(json.dumps({**manifest, "description": long}), encoding="utf-8")
    with pytest.raises(ValueError, match="description.short is 81 characters"):
        build_package(APP_ID, tmp_path / "a.zip", manifest_dir=folder)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copyfile(folder / "outline.png", folder / "color.png")
    with pytest.raises(ValueError, match="192×192"):
        build_package(APP_ID, tmp_path / "a.zip", manifest_dir=folder)
    (folder / "color.png").unlink()
    with pytest.raises(ValueError, match="color.png: missing"):
        build_package(APP_ID, tmp_path / "a.zip", manifest_dir=folder)
    assert not (tmp_path / "a.zip").exists()


def test_run_package_prints_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "teams.zip"
    assert run_package(Settings(microsoft_app_id=APP_ID), out) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert zipfile.ZipFile(out).namelist()


def test_run_package_writes_to_the_working_folder_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_package(Settings(microsoft_app_id=APP_ID.upper()), None) == 0
    assert capsys.readouterr().out.strip() == "snp-bot-teams.zip"
    assert (tmp_path / "snp-bot-teams.zip").exists()


@pytest.mark.parametrize("app_id", ["", "secret-password-pasted-here"])
def test_run_package_without_a_usable_app_id_says_so_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], app_id: str) -> None:
    assert run_package(Settings(microsoft_app_id=app_id), tmp_path / "teams.zip") == 2
    said = capsys.readouterr()
    assert said.out == "" and "MICROSOFT_APP_ID" in said.err
    assert app_id not in said.err or not app_id  # a secret pasted by mistake is not echoed
    assert not (tmp_path / "teams.zip").exists()


def test_the_command_writes_the_zip_and_names_a_missing_id(tmp_path):
    import os
    import subprocess
    import sys
    import zipfile

    command = [str(Path(sys.executable).with_name("snp-bot")), "teams", "package", "--out", str(tmp_path / "app.zip")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROSOFT_")}
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "MICROSOFT_APP_ID" in refused.stderr
    env["MICROSOFT_APP_ID"] = "6a7b3c2d-1111-4222-8333-944455556666"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as package:
        assert "6a7b3c2d-1111-4222-8333-944455556666" in package.read("manifest.json").decode()
