"""The class chat's readiness lines, from the real checks to the lecturer's report.

Each laptop's line is made from the results of the real check functions (memory and disk
judged from given figures, Java from a PATH with and without it), pasted the way chat
programs show it, and read back by `python -m medallion.teaching.class_report` as the
lecturer runs it. The whole `make check-env` run is tested in test_env_check.py (its last
line is parsed there). Under two seconds.
"""

from __future__ import annotations

import subprocess
import sys

from medallion.settings import load_settings
from medallion.teaching import service_checks as services
from medallion.teaching import toolchain_checks as toolchain
from medallion.teaching.class_report import parse_line, report_line

HOME = load_settings().home


def laptop_results(tmp_path, memory_gib: float, java: bool):
    env = {"PATH": "/usr/bin:/bin" if java else str(tmp_path)}
    return [
        services.check_memory(memory_gib),
        services.check_disk(tmp_path),
        toolchain.check_java(env),
    ]


def class_report(text: str, tmp_path) -> subprocess.CompletedProcess:
    chat = tmp_path / "chat.txt"
    chat.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "medallion.teaching.class_report", str(chat)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=HOME,
    )


def test_a_line_says_who_and_which_checks_failed(tmp_path):
    results = laptop_results(tmp_path, memory_gib=1.0, java=False)
    line = report_line("Bo | Chen", results)
    laptop = parse_line(f"10:02 Bo Chen: {line}")
    failed = tuple(result.name for result in results if result.status == "fail")
    assert "memory" in failed and "java" in failed
    assert laptop.who == "Bo Chen" and laptop.failed == failed and not laptop.ready
    assert laptop.total == 3 and laptop.ok == sum(r.status == "ok" for r in results)


def test_the_report_lists_every_laptop_and_the_shared_failures(tmp_path):
    ada = report_line("Ada Lovelace", laptop_results(tmp_path, memory_gib=64, java=True))
    bo_before = report_line("Bo Chen", laptop_results(tmp_path, memory_gib=1.0, java=False))
    bo_after = report_line("Bo Chen", laptop_results(tmp_path, memory_gib=1.0, java=True))
    cy = report_line("Cy Diaz", laptop_results(tmp_path, memory_gib=1.5, java=True))
    chat = "\n".join(
        [
            "Lecturer: please paste your check-env line",
            f"[09:01] Ada: {ada}",
            f"[09:02] Bo: {bo_before}",
            "[09:03] Cy: medallion-ready v1 | Cy Diaz | 2/3 ok | fail: mem",  # cut off
            f"[09:05] Bo: {bo_after}",  # re-ran after installing Java: this one counts
            f"[09:06] Cy: {cy}",
        ]
    )
    completed = class_report(chat, tmp_path)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    ready = [ada]  # only Ada's memory check passes; Bo and Cy have too little memory
    assert lines[0] == f"3 laptops reported: {len(ready)} ready, 2 not ready"
    rows = {who: line for who in ("Ada", "Bo", "Cy") for line in lines[1:4] if f" {who} " in line}
    # Bo's second line counts: Java was fixed (a warning without JAVA_HOME), memory was not.
    assert rows["Bo"].startswith("  NOT READY  Bo Chen") and "fail: memory;" in rows["Bo"]
    assert rows["Cy"].startswith("  NOT READY  Cy Diaz") and "fail: memory" in rows["Cy"]
    assert rows["Ada"] == lines[3] and lines[3].startswith("  ready      Ada Lovelace")
    assert "  memory: 2 (Bo Chen, Cy Diaz)" in lines
    assert lines[-1] == f"Lines 4 of {tmp_path / 'chat.txt'} could not be read: ask for them again."


def test_no_lines_says_what_to_paste(tmp_path):
    completed = class_report("hello\nwho is here?\n", tmp_path)
    assert completed.returncode == 1
    assert "runs `make check-env` and pastes its last line" in completed.stdout
