"""``apprentice report`` seen in a real headless Chromium (Debian's ``chromium``; ``.ci/run``
installs it): the page opens with its contents and the summary, every run is one closed line,
every figure and video decodes, and the whole page stays short.

Chromium renders a copy of the page with a probe script added (the report itself has no script):
on ``load`` it writes the page's height and width, the number of decoded images, and the height
and width with every section opened into the ``<html>`` element, and ``--dump-dom`` prints the DOM, parsed here with :mod:`html.parser`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from apprentice.cli.report import ReportArgs, report
from apprentice.runs import write_run

WINDOW = (1280, 900)
MAX_PAGE_HEIGHT = 2500
"""Pixels at 1280 px wide, every run collapsed (the old report of a few runs was 24,600 px)."""
PROBE = """<script>addEventListener("load", () => {
  const root = document.documentElement;
  root.dataset.height = root.scrollHeight;
  root.dataset.width = root.scrollWidth;
  root.dataset.decoded = [...document.images].filter((image) => image.complete && image.naturalWidth > 0).length;
  document.querySelectorAll("details").forEach((details) => { details.open = true; });
  root.dataset.openHeight = root.scrollHeight;
  root.dataset.openWidth = root.scrollWidth;
  document.querySelectorAll("details").forEach((details) => { details.open = false; });
});</script>"""


def chromium() -> str:
    """The Chromium binary (``$APPRENTICE_CHROMIUM``, else ``chromium`` on the PATH), or a skip."""
    found = os.environ.get("APPRENTICE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium; .ci/run installs it in CI)")
    return found


def run_chromium(*args: str) -> str:
    """Chromium's stdout; a profile of its own per call (two test processes, or a HOME that is
    not writable, must not share one)."""
    with tempfile.TemporaryDirectory(prefix="apprentice-chromium-") as profile:
        command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
        command += [f"--window-size={WINDOW[0]},{WINDOW[1]}", *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


class Elements(HTMLParser):
    """Every start tag as ``(tag, attributes, index of the enclosing <details> or None)``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], int | None]] = []
        self._open_details: list[int] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.found.append((tag, {key: value or "" for key, value in attrs}, next(reversed(self._open_details), None)))
        if tag == "details":
            self._open_details.append(len(self.found) - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self._open_details:
            self._open_details.pop()

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs, _ in self.found if tag == name]


def fabricated_runs(root: Path) -> list[Path]:
    """Run folders as ``apprentice train`` writes them: BC on 2 and 4 demonstrations and DAgger,
    2 seeds each, and PPO (on env steps only); BC's first run has a GIF of its policy. The BC
    results hold their long paths, so that the comparison table is wider than the page."""
    folders = []
    for seed in (0, 1):
        for n_demos in (2, 4):
            config = {"command": "train bc", "algorithm": "bc", "env_id": "CartPole-v1", "seed": seed}
            config |= {"demos": f"demos{n_demos}.npz", "config": {"learning_rate": 1e-3, "n_epochs": 5}}
            rows = [{"epoch": e, "train_loss": 0.6 / e, "gradient_steps": 4 * e, "lr": 1e-3} for e in range(1, 6)]
            result = {"algorithm": "bc", "env_id": "CartPole-v1", "n_demo_episodes": n_demos}
            result |= {"n_demo_steps": 500 * n_demos, "mean_return": 300.0 + 40 * n_demos + 10 * seed}
            folder = root / f"bc_{n_demos}demos_seed{seed}"  # no hyphen: the path does not wrap in a cell
            folders.append(write_run(folder, config, rows, result | {"out": str(folder)}))
        config = {"command": "train dagger", "algorithm": "dagger", "env_id": "CartPole-v1", "seed": seed}
        config |= {"config": {"label_budget": 600, "steps_per_round": 100}}
        rows = [
            {
                "round": r,
                "labels": 100 * (r + 1),
                "env_steps": 100 * (r + 1),
                "beta": 0.0,
                "mean_return": 80.0 * (r + 1),
            }
            for r in range(6)
        ]
        result = {"algorithm": "dagger", "env_id": "CartPole-v1", "labels": 600, "mean_return": 480.0}
        folders.append(write_run(root / f"dagger_seed{seed}", config, rows, result))
    config = {"command": "train ppo", "algorithm": "ppo", "env_id": "CartPole-v1", "seed": 0, "config": {"lr": 3e-4}}
    rows = [{"iteration": i, "env_steps": 2048 * i, "eval_return": 60.0 * i, "policy_loss": 0.1 / i} for i in (1, 2, 3)]
    folders.append(write_run(root / "ppo_seed0", config, rows, {"algorithm": "ppo", "final_eval_return": 180.0}))
    import imageio.v3 as iio

    frames = np.zeros((4, 40, 60, 3), np.uint8)
    frames[:, 10:30, 20:40] = [[[[200, 120, 40]]]]
    iio.imwrite(folders[0] / "video.gif", frames, duration=100)
    return folders


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The report of :func:`fabricated_runs` and its DOM after Chromium loaded it."""
    chromium()
    root = tmp_path_factory.mktemp("report-browser")
    runs = fabricated_runs(root / "runs")
    result = report(ReportArgs(run_dirs=tuple(map(str, runs)), out=str(root / "report")))
    page = Path(result["html"])
    probed = page.with_name("probed.html")
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = run_chromium("--virtual-time-budget=10000", "--dump-dom", probed.as_uri())
    elements = Elements()
    elements.feed(dom)
    return page, elements, result


def test_the_page_opens_with_contents_and_the_summary_and_every_link_lands(rendered):
    _, elements, _ = rendered
    order = [attrs.get("id") for tag, attrs, _ in elements.found if tag in ("nav", "section", "details")]
    assert order[:3] == ["contents", "summary", "summary-CartPole-v1"]
    ids = {attrs["id"] for _, attrs, _ in elements.found if "id" in attrs}
    links = [attrs["href"] for attrs in elements.tags("a") if attrs.get("href", "").startswith("#")]
    assert len(links) == len(order) - 1 and all(link[1:] in ids for link in links)


def test_every_run_is_a_closed_section_and_the_summary_is_not(rendered):
    _, elements, result = rendered
    details = elements.tags("details")
    assert len(details) == len(result["runs"]) + 1  # and the comparison
    assert not any("open" in attrs for attrs in details)
    summary_figures = [attrs for tag, attrs, inside in elements.found if tag == "img" and inside is None]
    assert len(summary_figures) == 1 and "against expert labels" in summary_figures[0]["alt"]


def test_every_figure_and_the_video_decode_and_the_page_is_short(rendered):
    page, elements, _ = rendered
    (root,) = elements.tags("html")
    images = elements.tags("img")
    assert int(root["data-decoded"]) == len(images) > 10
    assert sum(attrs["src"].startswith("data:image/gif;base64,") for attrs in images) == 1
    height, width = int(root["data-height"]), int(root["data-width"])
    opened = int(root["data-open-height"])
    print(f"report page: {height} px high ({opened} px opened), {width} px wide; {page.stat().st_size} bytes")
    assert height <= MAX_PAGE_HEIGHT and width <= WINDOW[0]
    assert int(root["data-open-width"]) <= WINDOW[0]  # wide tables scroll inside their section


def test_the_screenshot_shows_the_summary_figure_in_the_first_screen(rendered, tmp_path):
    page, _, _ = rendered
    shot = tmp_path / "report.png"
    run_chromium(f"--screenshot={shot}", page.as_uri())
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    assert pixels.shape == (WINDOW[1], WINDOW[0], 3)
    # the methods' coloured lines in the lower half of the first screen (0.4% of it here; the same
    # page without its figures has 0.005% coloured pixels there: text is black, links are above)
    lower = pixels[WINDOW[1] // 2 :]
    assert ((lower.max(-1) - lower.min(-1)) > 80).mean() > 0.002
