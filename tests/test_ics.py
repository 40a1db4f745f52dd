"""`portcli export --format ics` (issue 11, item 5): deadlines as all-day events, read back with the
`icalendar` library and imported into a real calendar program, khal (Debian's `khal`), run headless.

On tests/varied.py's folder the effective due dates are, by its table: 1 and 8 on 2022-05-31, 2 on
06-20, 3 on 2023-12-31, 4 on 04-30, 5 on 06-30, 6 on 06-17, 7 on 03-31, 10 on 06-10 (extended twice),
11 on 06-25 (its `due:`); 9 follows 海关总署's schedule and has no date.
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar

import varied
from programs import KHAL, needs_khal

AS_OF = "2022-06-15"
DUE = {1: date(2022, 5, 31), 2: date(2022, 6, 20), 3: date(2023, 12, 31), 4: date(2022, 4, 30),
       5: date(2022, 6, 30), 6: date(2022, 6, 17), 7: date(2022, 3, 31), 8: date(2022, 5, 31),
       10: date(2022, 6, 10), 11: date(2022, 6, 25)}


@pytest.fixture
def folder(tmp_path) -> Path:
    return varied.write(tmp_path / "measures")


def events(data: bytes) -> dict[str, object]:
    """SUMMARY's measure (`1`, or `PLAN:1`) → its VEVENT, parsed by icalendar."""
    cal = Calendar.from_ical(data)
    found = {}
    for event in cal.walk("VEVENT"):
        name = str(event["SUMMARY"]).removeprefix("措施 ").split("：")[0]
        assert name not in found
        found[name] = event
    return found


def export(run, folder: Path, *args: str, as_of: str = AS_OF):
    result = run("export", "--dir", folder, "--format", "ics", "--as-of", as_of, *args)
    assert result.exit_code == 0, result.stderr
    return result


def test_one_all_day_event_per_dated_measure_on_its_effective_due_date(run, folder):
    result = export(run, folder)
    assert result.stderr == "portcli: 1 measure has no due date and is left out of the calendar\n"
    found = events(result.stdout_bytes)
    assert sorted(found, key=int) == [str(i) for i in DUE]
    for measure_id, due in DUE.items():
        event = found[str(measure_id)]
        assert event.decoded("DTSTART") == due and type(event.decoded("DTSTART")) is date
        assert event.decoded("DTEND") == due + timedelta(days=1)
        assert str(event["SUMMARY"]) == f"措施 {measure_id}：{varied.local(measure_id)}"
        assert event.decoded("DTSTAMP") == datetime(2022, 6, 15, tzinfo=timezone.utc)
        assert str(event["UID"]).endswith("@portcli")
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-3)
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert len({str(e["UID"]) for e in found.values()}) == len(DUE)
    assert {i: int(found[str(i)]["SEQUENCE"]) for i in DUE} == {i: 2 if i == 10 else 0 for i in DUE}


def test_the_description_names_the_units_lead_first_and_the_deadline(run, folder):
    found = events(export(run, folder).stdout_bytes)
    lines = str(found["1"]["DESCRIPTION"]).split("\n")
    # measure 1's units are written as aliases (商务局, 海关): the calendar names them as the plan does
    assert lines[:3] == ["责任单位：市商务局（牵头）、天津海关", "完成时限：5月底前", "到期日：2022-05-31"]
    assert varied.local(1) in lines and "海关总署措施：第1项国家措施" in lines
    ten = str(found["10"]["DESCRIPTION"]).split("\n")
    assert ten[:5] == ["责任单位：市商务局（牵头）、天津港集团", "完成时限：5月底前", "到期日：2022-06-10",
                       "延期：2022-05-25 批准延至 2022-06-05（等待船公司系统改造）",
                       "延期：2022-06-01 批准延至 2022-06-10（再延五天）"]
    assert str(found["8"]["DESCRIPTION"]).startswith("责任单位：市发展改革委（牵头）、天津海关\n完成时限：5月底前取得阶段性进展，持续推动\n")


def test_the_same_data_and_date_give_the_same_bytes_in_either_language(run, folder):
    english = export(run, folder).stdout_bytes
    assert export(run, folder).stdout_bytes == english
    assert run("export", "--dir", folder, "--format", "ics", "--as-of", AS_OF,
               env={"PORTCLI_LANG": "zh"}).stdout_bytes == english
    later = events(export(run, folder, as_of="2022-07-01").stdout_bytes)
    first = events(english)
    assert {k: str(e["UID"]) for k, e in later.items()} == {k: str(e["UID"]) for k, e in first.items()}
    assert later["1"].decoded("DTSTAMP") == datetime(2022, 7, 1, tzinfo=timezone.utc)


def test_an_extension_moves_the_event_keeps_its_uid_and_raises_the_sequence(run, folder):
    before = events(export(run, folder).stdout_bytes)["2"]
    result = run("extend", "2", "--dir", folder, "--to", "2022-07-20", "--reason", "等待系统升级", "--date", AS_OF)
    assert result.exit_code == 0, result.stderr
    after = events(export(run, folder).stdout_bytes)["2"]
    assert str(after["UID"]) == str(before["UID"])
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)
    assert after.decoded("DTSTART") == date(2022, 7, 20) and after.decoded("DTEND") == date(2022, 7, 21)


def test_unit_and_output_suffix(run, folder, tmp_path):
    target = tmp_path / "海事局.ics"
    result = run("export", "--dir", folder, "--unit", "天津海事局", "--as-of", AS_OF, "--output", target)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # 天津海事局's one measure (4) has a date
    cal = Calendar.from_ical(target.read_bytes())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == [f"措施 4：{varied.local(4)}"]
    assert str(cal["X-WR-CALNAME"]).endswith(" · 天津海事局")
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_several_plans_have_their_own_uids_and_name_the_plan(run, tmp_path):
    root = tmp_path / "measures"
    varied.write(root / "2022-甲")
    varied.write(root / "2023-乙")
    plan = root / "2023-乙" / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("2022", "2023"), encoding="utf-8")
    data = export(run, root).stdout_bytes
    assert run("export", "--dir", root, "--format", "ics", "--as-of", AS_OF,
               env={"PORTCLI_LANG": "zh"}).stdout_bytes == data  # no word of portcli's, even here
    assert str(Calendar.from_ical(data)["X-WR-CALNAME"]) == "2022-甲、2023-乙"
    found = events(data)
    assert set(found) == {f"{p}:{i}" for p in ("2022-甲", "2023-乙") for i in DUE}
    assert found["2022-甲:1"].decoded("DTSTART") == date(2022, 5, 31)
    assert found["2023-乙:1"].decoded("DTSTART") == date(2023, 5, 31)
    assert str(found["2022-甲:1"]["UID"]) != str(found["2023-乙:1"]["UID"])


def test_hostile_texts_stay_text(run, folder):
    path = folder / varied.file_name(1)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["local"] = ["第一行\nEND:VEVENT\r\nBEGIN:VEVENT;x=1,\x1b[2J"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = export(run, folder)
    assert result.stdout_bytes.split(b"\r\n").count(b"BEGIN:VEVENT") == len(DUE)  # no line forged
    found = events(result.stdout_bytes)
    # the summary is one line (whitespace runs made one space); the description keeps the text's line
    # breaks (iCalendar escapes them as \n) and shows other control characters as escapes
    assert str(found["1"]["SUMMARY"]) == "措施 1：第一行 END:VEVENT BEGIN:VEVENT;x=1,\\x1b[2J"
    assert "\n第一行\nEND:VEVENT\\x0d\nBEGIN:VEVENT;x=1,\\x1b[2J\n" in str(found["1"]["DESCRIPTION"])


KHAL_CONFIG = """[calendars]
[[portcli]]
path = {path}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
[default]
default_calendar = portcli
"""


def khal(home: Path, *args: str) -> subprocess.CompletedProcess:
    """khal with a calendar (a vdir) of its own under `home`: nothing of the user's is read or written."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8",
           "TZ": "Asia/Shanghai"}
    return subprocess.run([KHAL, "-c", str(home / "khal.conf"), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def khal_events(home: Path) -> list[tuple[str, str, str, str]]:
    """(start date, end date, title, uid) of every event khal lists in 2022 and 2023."""
    result = khal(home, "list", "--once", "--format", "@@{start-date}|{end-date}|{title}|{uid}",
                  "2022-01-01", "2023-12-31")
    assert result.returncode == 0, result.stderr
    return sorted(tuple(line[2:].split("|")) for line in result.stdout.splitlines() if line.startswith("@@"))


@needs_khal
def test_khal_imports_the_calendar_and_shows_each_deadline_on_its_day(run, folder, tmp_path):
    assert KHAL is not None, "CI must have khal: .ci/run installs Debian's khal package"
    home = tmp_path / "khal"
    (home / "calendar").mkdir(parents=True)
    (home / "khal.conf").write_text(KHAL_CONFIG.format(path=home / "calendar"), encoding="utf-8")
    first = tmp_path / "first.ics"
    first.write_bytes(export(run, folder).stdout_bytes)
    uids = {k: str(e["UID"]) for k, e in events(first.read_bytes()).items()}
    imported = khal(home, "import", "--batch", str(first))
    assert imported.returncode == 0 and "rror" not in imported.stderr, imported.stderr
    # an all-day event ends (DTEND) the next day; khal shows the day it covers: start and end the same
    assert khal_events(home) == sorted((DUE[i].isoformat(), DUE[i].isoformat(), f"措施 {i}：{varied.local(i)}",
                                        uids[str(i)]) for i in DUE)

    # Importing a newer export updates the event, as a calendar subscribed to it would: not a second one.
    assert run("extend", "2", "--dir", folder, "--to", "2022-07-20", "--reason", "等待系统升级",
               "--date", AS_OF).exit_code == 0
    second = tmp_path / "second.ics"
    second.write_bytes(export(run, folder).stdout_bytes)
    again = khal(home, "import", "--batch", str(second))
    assert again.returncode == 0 and "rror" not in again.stderr, again.stderr
    listed = khal_events(home)
    assert len(listed) == len(DUE)
    assert [e for e in listed if e[3] == uids["2"]] == [("2022-07-20", "2022-07-20", f"措施 2：{varied.local(2)}",
                                                          uids["2"])]


def test_the_calendars_fixed_properties_per_spec(run, folder):
    data = export(run, folder).stdout_bytes
    cal = Calendar.from_ical(data)
    # RFC 5545 requires PRODID and VERSION:2.0; enumerated values are case-insensitive there
    assert (str(cal["PRODID"]), str(cal["VERSION"]), str(cal["CALSCALE"]).upper()) == (
        "-//portcli//measures//ZH", "2.0", "GREGORIAN")
    for name, event in events(data).items():
        assert str(event["TRANSP"]).upper() == "TRANSPARENT", name  # the day stays free
        # a DISPLAY alarm must carry a DESCRIPTION: the event's summary
        assert str(event.walk("VALARM")[0]["DESCRIPTION"]) == str(event["SUMMARY"]), name


def expected_uid(owner: str, measure_id: int) -> str:
    """SPEC §4d: the first 32 hex digits of SHA-256 of OWNER\\0ID, then @portcli."""
    import hashlib

    return hashlib.sha256(f"{owner}\0{measure_id}".encode("utf-8")).hexdigest()[:32] + "@portcli"


def test_the_uid_is_the_plans_title_and_the_id_hashed(run, folder, tmp_path):
    title = yaml.safe_load((folder / "_plan.yaml").read_text(encoding="utf-8"))["title"]
    found = events(export(run, folder).stdout_bytes)
    assert {name: str(e["UID"]) for name, e in found.items()} == {str(i): expected_uid(title, i) for i in DUE}
    # another plan, kept in its own folder, has its own UIDs: importing its calendar adds, not replaces
    other = varied.write(tmp_path / "other")
    plan = other / "_plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(title, title + "（续）"), encoding="utf-8")
    assert str(events(export(run, other).stdout_bytes)["1"]["UID"]) == expected_uid(title + "（续）", 1)


def test_several_plans_with_one_title_keep_apart_by_folder_and_list_by_plan_then_id(run, tmp_path):
    root = tmp_path / "measures"
    varied.write(root / "2022-乙")
    varied.write(root / "2022-甲")  # the same plan file, title and all
    found = events(export(run, root).stdout_bytes)
    assert list(found) == [f"{p}:{i}" for p in ("2022-乙", "2022-甲") for i in DUE]  # the file's order
    assert {name: str(e["UID"]) for name, e in found.items()} == {
        f"{p}:{i}": expected_uid(p, i) for p in ("2022-乙", "2022-甲") for i in DUE}


def set_local(folder: Path, measure_id: int, local: list[str]) -> None:
    path = folder / varied.file_name(measure_id)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["local"] = local
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_summary_is_cut_at_40_characters(run, folder):
    forty = "一二三四五六七八九十" * 4
    set_local(folder, 1, [forty])
    set_local(folder, 2, [forty + "多"])
    found = events(export(run, folder).stdout_bytes)
    assert str(found["1"]["SUMMARY"]) == f"措施 1：{forty}"  # 40: whole
    assert str(found["2"]["SUMMARY"]) == f"措施 2：{forty[:39]}…"  # 41: 39 and the ellipsis


def test_the_description_line_by_line(run, folder):
    set_local(folder, 3, [])  # no local item: the national measure is the summary, no blank line for it
    found = events(export(run, folder).stdout_bytes)
    assert str(found["1"]["DESCRIPTION"]).split("\n") == [
        "责任单位：市商务局（牵头）、天津海关", "完成时限：5月底前", "到期日：2022-05-31", "",
        varied.local(1), "", "海关总署措施：第1项国家措施"]
    assert str(found["3"]["DESCRIPTION"]).split("\n") == [
        "责任单位：市交通运输委（牵头）", "完成时限：2023年底前", "到期日：2023-12-31", "", "海关总署措施：第3项国家措施"]
    assert str(found["3"]["SUMMARY"]) == "措施 3：第3项国家措施"


def test_a_plan_title_with_a_line_break_names_the_calendar_on_one_line(run, folder):
    path = folder / "_plan.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan["title"] = "天津口岸\n2022年措施"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cal = Calendar.from_ical(export(run, folder).stdout_bytes)
    assert str(cal["X-WR-CALNAME"]) == "天津口岸\\x0a2022年措施"  # the break shown as an escape, as in SUMMARY


def test_a_broken_plan_file_still_gives_every_dated_measure_its_event(run, folder):
    (folder / "_plan.yaml").write_text("title: [broken\n", encoding="utf-8")
    result = run("export", "--dir", folder, "--format", "ics", "--as-of", AS_OF)
    assert "Traceback" not in result.stderr and "_plan.yaml:1:" in result.stderr
    found = events(result.stdout_bytes)
    assert sorted(found, key=int) == [str(i) for i in DUE]
    assert len({str(e["UID"]) for e in found.values()}) == len(DUE)  # no title to hash: still one UID each


def test_a_plan_folder_name_with_a_tab_stays_on_the_summarys_line(run, tmp_path):
    root = tmp_path / "measures"
    varied.write(root / "2022\t甲")
    varied.write(root / "2022-乙")
    found = events(export(run, root).stdout_bytes)
    assert str(found["2022\\x09甲:1"]["SUMMARY"]) == f"措施 2022\\x09甲:1：{varied.local(1)}"
