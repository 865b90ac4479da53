"""The course's lessons, in order: the one list every tool reads (lesson 00).

Each lesson has one slug used everywhere:

    notebooks/NN_<slug>.ipynb            the lesson a learner opens
    dropout_lab/lessons/<slug>/          its code: compute.py -> plots.py -> widgets.py,
                                         exercises.py (+ solutions.py), layers never upwards
    tests/lessons/test_<slug>*.py        its tests

README's lesson table, lesson 00's course map, every lesson's previous/next links, the
notebook hygiene test, the browser test, the dashboard registry, the benchmarks and the
doctor all follow LESSONS. `make new-lesson SLUG=... TITLE=...` adds a lesson (one folder,
one notebook, one line below) and regenerates the generated lists; see CONTRIBUTING.md.
"""
from __future__ import annotations

from dataclasses import dataclass

from .._lazy import lazy_submodules


@dataclass(frozen=True)
class Lesson:
    """One lesson: its number, slug, title, a one-line summary, and what its kernel imports."""

    number: str                      # "03": two digits, the notebook's prefix and the course order
    slug: str                        # "rate_variance": notebook, package folder and test files
    title: str                       # "Rate variance"
    summary: str                     # what the learner sees: README table and lesson 00's map
    frameworks: tuple[str, ...] = ()  # which of "torch", "keras" the lesson imports (doctor, test-fast)

    @property
    def notebook(self) -> str:
        """The notebook's file name under notebooks/, e.g. '03_rate_variance.ipynb'."""
        return f"{self.number}_{self.slug}.ipynb"

    @property
    def notebook_path(self) -> str:
        """The notebook's path from the repository root."""
        return f"notebooks/{self.notebook}"

    @property
    def package(self) -> str:
        """The lesson's Python package, e.g. 'dropout_lab.lessons.rate_variance'."""
        return f"{__name__}.{self.slug}"

    @property
    def link_text(self) -> str:
        """How other lessons link to it: '03 Rate variance'."""
        return f"{self.number} {self.title}"


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "start_here", "Start here",
           "what dropout is and why; versions and devices; how the sliders work; the course map",
           ("torch", "keras")),
    Lesson("01", "dropout_from_scratch", "Dropout from scratch",
           "the keep-mask, inverted scaling, the backward pass, train vs eval; NumPy, PyTorch and Keras side by side",
           ("torch", "keras")),
    Lesson("02", "expectation", "Expectation preservation",
           "why 1/(1 − rate): the next layer sees the scale it was trained on; E[out] = x, "
           "Var[out] = x²·rate/(1 − rate)"),
    Lesson("03", "rate_variance", "Rate variance",
           "why the zero fraction is not exactly the rate: Binomial(n, rate)/n; counting zeros after a ReLU; "
           "the asker's code on Keras 3", ("torch", "keras")),
    Lesson("04", "inside_the_frameworks", "Inside the frameworks",
           "Keras → TF stateless dropout and PyTorch's mask rebuilt bit for bit; per-sample masks with a "
           "`None` batch; `noise_shape`; seeds; training flags",
           ("torch", "keras")),
    Lesson("05", "keras_custom_dropout", "Your own dropout layer in a Keras model",
           "a custom layer honouring `training` inside the 10000 → 16 → 16 → 1 IMDB model; the old answers' "
           "mistakes caught",
           ("keras",)),
    Lesson("06", "ensemble", "Dropout as an ensemble",
           "all 2ⁿ thinned networks enumerated; arithmetic vs geometric mean vs weight scaling"),
    Lesson("07", "paper_test_time_scaling", "The paper's test-time scaling",
           "vanilla vs inverted; Monte-Carlo vs weight scaling; the 2014 paper's Figs. 9–11 and §9.1 in miniature"),
    Lesson("08", "bug_zoo", "Bug zoo",
           "sixteen dropout bugs in NumPy, PyTorch and Keras 3 to find and fix, each with a check, and what "
           "four of them cost on digits", ("torch", "keras")),
    Lesson("09", "mc_dropout", "Monte-Carlo dropout and uncertainty",
           "dropout left on at test time: predictive mean, variance, entropy and mutual information; switching on "
           "only the dropout layers; calibration and out-of-distribution inputs on real data", ("torch", "keras")),
    Lesson("10", "batchnorm", "Dropout and BatchNorm",
           "the variance shift: BatchNorm's running variance learned under dropout; Dropout → BN vs BN → Dropout; "
           "the fixes", ("torch",)),
    Lesson("11", "modern_networks", "Dropout in modern networks",
           "CNNs (spatial dropout, rate by depth), recurrent nets (locked and recurrent dropout), transformers "
           "(attention dropout and `eval()`), DropPath", ("torch", "keras")),
    Lesson("12", "dropout_family", "The dropout family",
           "Gaussian dropout, DropConnect, Alpha dropout and DropBlock, from scratch and against the frameworks",
           ("torch", "keras")),
)


def by_number(number: str) -> Lesson:
    """The lesson with this two-digit number, or a ValueError listing the numbers there are."""
    for lesson in LESSONS:
        if lesson.number == number:
            return lesson
    raise ValueError(f"number must be one of {[lesson.number for lesson in LESSONS]}, got {number!r}")


def by_slug(slug: str) -> Lesson:
    """The lesson with this slug, or a ValueError listing the slugs there are."""
    for lesson in LESSONS:
        if lesson.slug == slug:
            return lesson
    raise ValueError(f"slug must be one of {[lesson.slug for lesson in LESSONS]}, got {slug!r}")


def of_module(module: str) -> Lesson:
    """The lesson a module belongs to, e.g. 'dropout_lab.lessons.rate_variance.widgets' -> lesson 03."""
    prefix = f"{__name__}."
    if not module.startswith(prefix):
        raise ValueError(f"module must be inside {__name__}, got {module!r}")
    return by_slug(module[len(prefix):].split(".")[0])


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """(previous, next) lesson in course order; None at either end."""
    index = LESSONS.index(lesson)
    previous = LESSONS[index - 1] if index > 0 else None
    following = LESSONS[index + 1] if index + 1 < len(LESSONS) else None
    return previous, following


# ---------------------------------------------------------------- generated text (tools/lessons.py writes it)

TABLE_START, TABLE_END = "<!-- lessons: generated from dropout_lab.lessons.LESSONS -->", "<!-- lessons: end -->"


def lesson_table(link_prefix: str = "") -> str:
    """The markdown table of every lesson: README's (link_prefix 'notebooks/') and lesson 00's course map ('')."""
    rows = ["| # | lesson | what you will see |", "|---|---|---|"]
    rows += [f"| {lesson.number} | [{lesson.title}]({link_prefix}{lesson.notebook}) | {lesson.summary} |"
             for lesson in LESSONS]
    return "\n".join([TABLE_START, *rows, TABLE_END])


def navigation(lesson: Lesson) -> str:
    """A lesson's last cell: links to the previous and the next lesson (the last one links back to 00)."""
    previous, following = neighbours(lesson)
    links = []
    if previous is not None:
        links.append(f"[← {previous.link_text}]({previous.notebook})")
    if following is not None:
        links.append(f"[{following.link_text} →]({following.notebook})")
    elif previous is not None:
        links.append(f"[Back to the start: {LESSONS[0].link_text} →]({LESSONS[0].notebook})")
    return "---\n" + " | ".join(links)


__getattr__ = lazy_submodules(__name__, globals())
