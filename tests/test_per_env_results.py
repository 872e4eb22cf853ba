"""The per-env JSON files of the multi-env suites, read back for ``--plot-only``."""

from __future__ import annotations

import json

import pytest

from apprentice.bench.per_env_results import per_env_payloads, per_env_rows


def test_rows_of_every_env_file_in_name_order_without_the_merged_results(tmp_path):
    (tmp_path / "b.json").write_text(json.dumps({"rows": [{"env_id": "B"}]}))
    (tmp_path / "a.json").write_text(json.dumps({"rows": [{"env_id": "A", "i": 0}, {"env_id": "A", "i": 1}]}))
    (tmp_path / "results.json").write_text(json.dumps({"rows": [{"env_id": "merged"}]}))
    assert per_env_rows(tmp_path) == [{"env_id": "A", "i": 0}, {"env_id": "A", "i": 1}, {"env_id": "B"}]


def test_a_folder_without_env_files_is_a_one_line_error_naming_the_suite(tmp_path):
    (tmp_path / "results.json").write_text("{}")
    with pytest.raises(ValueError, match=r"expected per-env JSON files from earlier runs of bench returns, found none"):
        per_env_payloads(tmp_path, "bench returns")
    with pytest.raises(ValueError, match=r"expected per-env JSON files from earlier runs, found none"):
        per_env_rows(tmp_path)
