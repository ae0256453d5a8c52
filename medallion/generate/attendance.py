"""Deterministic sample deliveries of a school's attendance register, one folder per day.

    medallion generate attendance --days 3 --size small

For every delivery date `ds` from `start` on, writes (N = students, --size):

    <out_dir>/classes/<ds>/classes-part-00000.csv     school information system export
    <out_dir>/students/<ds>/students-part-00000.csv   student register
    <out_dir>/records/<ds>/records-part-00000.csv     attendance marks entered that day

CSV files start with a header row holding the contract's columns in contract order
(`data/contracts/attendance/*.yml`). Timestamps are UTC `YYYY-MM-DD HH:MM:SS`, dates
`YYYY-MM-DD`. Same arguments, same bytes: every number comes from the seed. Every
delivery date is a school day (the generator knows no weekends or holidays).

What the school delivers
------------------------
classes      Day 1: every class, max(5, N/25), CL001 ..., taking turns over the five
             campuses (harbour, hillside, meadow, riverside, station), years 7 to 12.
             Later days: ~2% of classes (at least one) get a new form teacher, as a new
             version with a later updated_at.
students     Day 1: all N students (S000001 ...), 25 to a class. Later days: ~1% (at
             least one) move to another class of the same campus: a new version.
records      One mark per student for the day (attendance_date = ds), recorded between
             08:00 and 09:30, in the student's current class. About 6% of students are
             often away (35% of days); the others are away 4% of days; 30% of absences
             are excused; 5% of those present are late.

Quirks on purpose (share of a day's records; "at least one" means in every delivery)
-----------------------------------------------------------------------------------
records      status in mixed case and padded: " Absent ", "PRESENT", "Late"   ~5%, >= 1
records      status empty: the teacher did not mark the student               ~2%
records      SAME-DAY corrections: a second mark for a student and today, entered
             between 12:00 and 15:00 (the later one must win)                 ~1%, >= 1
records      LATE corrections: a mark for a student and the DAY BEFORE, entered
             between 07:00 and 08:00 and delivered today (absent -> excused after a
             sick note, unmarked -> present, ...): it must replace the earlier mark in
             gold                                                  ~3% of students, >= 1
records      an exact copy of a row in the same file                        ~0.5%, >= 1
classes      campus in mixed case or padded                                 ~5%, >= 1

Invalid rows (the silver layer must quarantine them)
----------------------------------------------------
records      ~1%, at least one a day, instead of a student's mark of the day: the status
             "tardy" (a synonym of late the contract does not accept), an empty
             student_id, or attendance_date written as 02/11/2026. The kinds take turns,
             starting from a kind that moves on every day.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.contracts import load_contract
from medallion.generate import quirks, text
from medallion.generate.files import DeliveryWriter
from medallion.generate.randomness import pick_rows, rng
from medallion.generate.school import (
    CAMPUSES,
    FIRST_NAMES,
    LAST_NAMES,
    STATUSES,
    TEACHERS,
    School,
    corrected,
)

log = logging.getLogger(__name__)

DATASET = "attendance"
TABLES = ("classes", "students", "records")
CHANGED_CLASS_SHARE = 0.02
MOVED_STUDENT_SHARE = 0.01
MESSY_STATUS_SHARE = 0.05
MESSY_CAMPUS_SHARE = 0.05
SAME_DAY_CORRECTION_SHARE = 0.01
LATE_CORRECTION_SHARE = 0.03
COPY_SHARE = 0.005
INVALID_SHARE = 0.01
INVALID_KINDS = ("tardy", "empty_student_id", "foreign_date_format")
HOUR = 3_600


def generate_attendance(
    out_dir: Path, start: date, days: int, students: int, seed: int
) -> dict[str, dict[str, int]]:
    """Write `days` daily deliveries from `start` into `out_dir`; return rows written.

    The result maps each source folder to {ds: data rows}, e.g. {"records":
    {"2026-11-01": 512, ...}, ...}. Existing folders of those dates are replaced.
    """
    if days < 1 or students < 1:
        raise ValueError(f"days and students must be at least 1, got {days} and {students}")
    contracts = {table: load_contract(DATASET, table) for table in TABLES}
    school = School.open(seed, students)
    rows: dict[str, dict[str, int]] = {contracts[table].source_folder: {} for table in TABLES}
    for day_index in range(days):
        day = start + timedelta(days=day_index)
        deliveries = {
            "classes": _classes(school, day_index, day),
            "students": _students(school, day_index, day),
            "records": _records(school, day_index, day),
        }
        for table, columns in deliveries.items():
            folder = Path(out_dir) / contracts[table].source_folder / day.isoformat()
            if folder.exists():
                shutil.rmtree(folder)
            with DeliveryWriter(folder, contracts[table]) as writer:
                writer.write(columns)
            rows[contracts[table].source_folder][day.isoformat()] = writer.rows
        log.info("%s %s rows: %s", DATASET, day, {t: rows[t][day.isoformat()] for t in TABLES})
    return rows


def _classes(school: School, day_index: int, day: date) -> dict[str, pa.Array]:
    """Day 1: every class, last changed the evening before. Later: new form teachers."""
    generator = rng(school.seed, "attendance", "classes", day_index)
    if day_index == 0:
        classes = np.arange(school.class_count)
        written_at = text.day_start(day) - 6 * HOUR
    else:
        classes = pick_rows(generator, school.class_count, CHANGED_CLASS_SHARE, 1)
        written_at = text.day_start(day) + 6 * HOUR
    campus = text.labels(CAMPUSES, school.campus_of_class(classes))
    return {
        "class_id": text.padded_ids("CL", classes + 1, 3),
        "campus": quirks.messy_case(campus, generator, MESSY_CAMPUS_SHARE),
        "year_group": text.integers(school.year_group_of_class(classes)),
        "teacher_name": text.labels(TEACHERS, school.teacher_of_class(classes, day_index)),
        "updated_at": text.timestamps(np.full(len(classes), written_at)),
    }


def _students(school: School, day_index: int, day: date) -> dict[str, pa.Array]:
    """Day 1: every student. Later days: the students who moved class that morning."""
    if day_index == 0:
        students = np.arange(school.student_count)
        written_at = text.day_start(day) - 6 * HOUR
    else:
        moved = max(1, round(MOVED_STUDENT_SHARE * school.student_count))
        students = school.move_students(day_index, moved)
        written_at = text.day_start(day) + 6 * HOUR
    first, last = school.names(students)
    epoch_day = text.day_start(day) // text.SECONDS_PER_DAY
    return {
        "student_id": text.padded_ids("S", students + 1, 6),
        "full_name": pc.binary_join_element_wise(
            text.labels(FIRST_NAMES, first), text.labels(LAST_NAMES, last), " "
        ),
        "class_id": text.padded_ids("CL", school.class_of[students] + 1, 3),
        "enrolled_on": text.dates(epoch_day - school.enrolled_days_before(students)),
        "updated_at": text.timestamps(np.full(len(students), written_at)),
    }


def _records(school: School, day_index: int, day: date) -> dict[str, pa.Array]:
    """The day's marks, same-day corrections, late corrections of yesterday, quirks."""
    generator = rng(school.seed, "attendance", "records", day_index)
    students = np.arange(school.student_count)
    marks = school.draw_marks(day_index, day)
    morning = text.day_start(day) + 8 * HOUR + generator.integers(0, 90 * 60, len(students))
    parts = [(students, school.class_of.copy(), marks, np.full(len(students), day), morning)]

    fixed = pick_rows(generator, len(students), SAME_DAY_CORRECTION_SHARE, 1)
    final_marks = marks.copy()
    final_marks[fixed] = corrected(marks[fixed])
    noon = text.day_start(day) + 12 * HOUR + generator.integers(0, 3 * HOUR, len(fixed))
    parts.append(
        (fixed, school.class_of[fixed], final_marks[fixed], np.full(len(fixed), day), noon)
    )

    if school.previous_marks is not None:
        late = pick_rows(generator, len(students), LATE_CORRECTION_SHARE, 1)
        yesterday = np.full(len(late), day - timedelta(days=1))
        early = text.day_start(day) + 7 * HOUR + generator.integers(0, HOUR, len(late))
        late_marks = corrected(school.previous_marks[late])
        parts.append((late, school.previous_classes[late], late_marks, yesterday, early))
    school.remember(final_marks)

    columns = {
        "student_id": text.padded_ids("S", np.concatenate([p[0] for p in parts]) + 1, 6),
        "attendance_date": pa.array(np.concatenate([p[3] for p in parts]), pa.date32()).cast(
            pa.string()
        ),
        "class_id": text.padded_ids("CL", np.concatenate([p[1] for p in parts]) + 1, 3),
        "status": text.labels(STATUSES, np.concatenate([p[2] for p in parts])),
        "recorded_at": text.timestamps(np.concatenate([p[4] for p in parts])),
    }
    columns["status"] = quirks.messy_case(columns["status"], generator, MESSY_STATUS_SHARE)
    columns = _with_invalid_marks(columns, len(students), day_index, day, generator)
    copies = pick_rows(generator, len(columns["status"]), COPY_SHARE, 1)
    return quirks.with_exact_copies(columns, copies, generator)


def _with_invalid_marks(
    columns: dict[str, pa.Array],
    day_marks: int,
    day_index: int,
    day: date,
    generator: np.random.Generator,
) -> dict[str, pa.Array]:
    """Break about 1% of the day's own marks (never a correction), one kind after another."""
    broken = pick_rows(generator, day_marks, INVALID_SHARE, 1)
    kinds = (np.arange(len(broken)) + day_index) % len(INVALID_KINDS)
    for kind_code, kind in enumerate(INVALID_KINDS):
        rows = broken[kinds == kind_code]
        if kind == "tardy":
            columns["status"] = quirks.replace_at(columns["status"], rows, "tardy")
        elif kind == "empty_student_id":
            columns["student_id"] = quirks.replace_at(columns["student_id"], rows, "")
        else:
            foreign = day.strftime("%d/%m/%Y")
            columns["attendance_date"] = quirks.replace_at(
                columns["attendance_date"], rows, foreign
            )
    return columns
