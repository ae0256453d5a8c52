"""The school behind the attendance deliveries: campuses, classes, students and their marks.

Everything is a function of the seed. The roster (classes, students, how often each
student is away) is drawn once; each day's marks come from a stream of their own
(`rng(seed, "attendance", "marks", day_index)`), so day 3 does not change when day 2
draws one more number. `School` keeps the little that changes over the run: which class
each student is in, and the marks of the day before (which a later day may correct).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from medallion.generate.randomness import hashed_uniform, rng

CAMPUSES = ("harbour", "hillside", "meadow", "riverside", "station")
# Status codes: a position in STATUSES; UNMARKED means the teacher left the mark empty.
STATUSES = ("present", "late", "absent", "excused")
PRESENT, LATE, ABSENT, EXCUSED = range(4)
UNMARKED = -1
STUDENTS_PER_CLASS = 25
FIRST_NAMES = (
    "Amara", "Ben", "Chloé", "Dmitri", "Elif", "Finn", "Grace", "Hamza", "Ines", "Jonas",
    "Kai", "Léa", "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Søren", "Tariq",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Brennan", "Costa", "Duarte", "Eriksen", "Fischer", "García", "Hughes",
    "Ivanova", "Jansen", "Kowalczyk", "Lindqvist", "Müller", "Nakamura", "O'Neill", "Patel",
)  # fmt: skip
TEACHERS = ("Ms Ahmed", "Mr Bauer", "Ms Clarke", "Mr Dlamini", "Ms Evans", "Mr Fontaine")

CHRONIC_SHARE = 0.06  # students who are often away
CHRONIC_ABSENCE = 0.35  # chance a chronic absentee is away on a given day
USUAL_ABSENCE = 0.04
LATE_CHANCE = 0.05
EXCUSED_SHARE = 0.3  # of absences, the ones with a note from home
UNMARKED_SHARE = 0.02  # marks the teacher forgot to enter


@dataclass
class School:
    """The roster and what a day of the run needs to know about the days before."""

    seed: int
    student_count: int
    class_count: int
    class_of: np.ndarray  # current class index of every student
    absence_chance: np.ndarray  # per student
    previous_marks: np.ndarray | None = field(default=None)  # status codes of the day before
    previous_classes: np.ndarray | None = field(default=None)

    @classmethod
    def open(cls, seed: int, student_count: int) -> School:
        students = np.arange(student_count)
        class_count = max(len(CAMPUSES), -(-student_count // STUDENTS_PER_CLASS))
        chronic = hashed_uniform(seed, "chronic", students) < CHRONIC_SHARE
        return cls(
            seed=seed,
            student_count=student_count,
            class_count=class_count,
            class_of=students % class_count,
            absence_chance=np.where(chronic, CHRONIC_ABSENCE, USUAL_ABSENCE),
        )

    def campus_of_class(self, classes: np.ndarray) -> np.ndarray:
        """Campus code of each class: classes take turns over the five campuses."""
        return np.asarray(classes) % len(CAMPUSES)

    def year_group_of_class(self, classes: np.ndarray) -> np.ndarray:
        return 7 + (np.asarray(classes) // len(CAMPUSES)) % 6

    def teacher_of_class(self, classes: np.ndarray, version: int) -> np.ndarray:
        """Teacher code per class; a new version of a class gets the next teacher."""
        return (np.asarray(classes) + version) % len(TEACHERS)

    def names(self, students: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first = (hashed_uniform(self.seed, "first_name", students) * len(FIRST_NAMES)).astype(int)
        last = (hashed_uniform(self.seed, "last_name", students) * len(LAST_NAMES)).astype(int)
        return first, last

    def enrolled_days_before(self, students: np.ndarray) -> np.ndarray:
        """How many days before the first delivery each student joined (up to 5 years)."""
        return 1 + (hashed_uniform(self.seed, "enrolled", students) * 5 * 365).astype(int)

    def move_students(self, day_index: int, count: int) -> np.ndarray:
        """Move `count` students to another class of the same campus; return who moved."""
        generator = rng(self.seed, "attendance", "moves", day_index)
        moved = np.sort(generator.choice(self.student_count, size=count, replace=False))
        same_campus_classes = self.class_count // len(CAMPUSES)
        if same_campus_classes > 1:
            step = len(CAMPUSES) * generator.integers(1, same_campus_classes, len(moved))
            self.class_of[moved] = (self.class_of[moved] + step) % (
                same_campus_classes * len(CAMPUSES)
            )
        return moved

    def draw_marks(self, day_index: int, day: date) -> np.ndarray:
        """Today's status code of every student (UNMARKED where the teacher left it empty)."""
        generator = rng(self.seed, "attendance", "marks", day_index, day.toordinal())
        draws = generator.random((3, self.student_count))
        absent = draws[0] < self.absence_chance
        marks = np.where(draws[1] < LATE_CHANCE, LATE, PRESENT)
        marks = np.where(absent, np.where(draws[1] < EXCUSED_SHARE, EXCUSED, ABSENT), marks)
        return np.where(draws[2] < UNMARKED_SHARE, UNMARKED, marks)

    def remember(self, marks: np.ndarray) -> None:
        """Keep today's final marks and classes for tomorrow's corrections."""
        self.previous_marks = marks
        self.previous_classes = self.class_of.copy()


def corrected(marks: np.ndarray) -> np.ndarray:
    """What a correction turns a mark into: a sick note (absent -> excused), a late
    arrival noticed (present -> late), a forgotten mark entered (unmarked -> present),
    a mistake undone (late -> present, excused -> absent). Never the same mark."""
    table = np.array([PRESENT, LATE, PRESENT, EXCUSED, ABSENT])  # index: code + 1
    return table[np.asarray(marks) + 1]
