"""The pytest plugin from the outside: fixtures, marker, reset, journal, faults, retries."""

from __future__ import annotations

import pytest

from mock_server.control_client import MockControl
from mock_server.testing import ServerProcess
from tests.plugin.conftest import PLUGIN_ARGS


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest(*PLUGIN_ARGS, *args)


def test_fixtures_reset_between_tests_and_journal(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from graviti.openapi import create_dataset, list_datasets

        def test_first(graviti_mock):
            assert graviti_mock.url.startswith("http://127.0.0.1:")
            assert graviti_mock.access_key.startswith("ACCESSKEY-")
            created = create_dataset(graviti_mock.access_key, graviti_mock.url, "MNIST")
            assert created["workspace"] == graviti_mock.workspace == "pytest"
            graviti_mock.assert_called("create_dataset", times=1)
            (call,) = graviti_mock.calls("create_dataset")
            assert call.body == {"name": "MNIST", "alias": ""}
            assert call.request_id and call.access_key.endswith(graviti_mock.access_key[-4:])

        def test_second_starts_empty(graviti_mock):
            assert graviti_mock.requests == []
            listing = list_datasets(graviti_mock.access_key, graviti_mock.url)
            assert listing["total_count"] == 0
            graviti_mock.assert_called("list_datasets", times=1)
            graviti_mock.assert_not_called("create_dataset")
        """
    )
    run(project).assert_outcomes(passed=2)


def test_assert_called_explains_a_mismatch(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from graviti.openapi import list_datasets

        def test_it(graviti_mock):
            list_datasets(graviti_mock.access_key, graviti_mock.url)
            graviti_mock.assert_called("create_dataset", times=1)
        """
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected create_dataset to be called 1 time(s), it was called 0 time(s); "
            "calls received: GET /v2/datasets (list_datasets)*"
        ]
    )


def test_faults_reach_the_real_sdk(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest
        from graviti.exception import InternalServerError, ServiceUnavailableError
        from graviti.openapi import create_dataset, get_dataset, update_dataset

        def test_get_fault_raises(graviti_mock):
            key, url = graviti_mock.access_key, graviti_mock.url
            create_dataset(key, url, "MNIST")
            graviti_mock.fail("get_dataset", status=500, times=1)
            with pytest.raises(InternalServerError):
                get_dataset(key, url, graviti_mock.workspace, "MNIST")
            assert get_dataset(key, url, graviti_mock.workspace, "MNIST")["name"] == "MNIST"

        def test_patch_fault_raises(graviti_mock):
            key, url = graviti_mock.access_key, graviti_mock.url
            create_dataset(key, url, "MNIST")
            graviti_mock.fail("update_dataset", status=503)
            with pytest.raises(ServiceUnavailableError):
                update_dataset(key, url, graviti_mock.workspace, "MNIST", alias="x")
            graviti_mock.assert_called("update_dataset", times=1)

        def test_503_on_create_is_absorbed_by_the_sdk_retry(graviti_mock):
            graviti_mock.fail("create_dataset", status=503, times=1)
            created = create_dataset(graviti_mock.access_key, graviti_mock.url, "MNIST")
            assert created["name"] == "MNIST"
            calls = graviti_mock.assert_called("create_dataset", times=2)
            assert [call.status for call in calls] == [503, 200]

        def test_faults_do_not_leak_into_the_next_test(graviti_mock):
            assert graviti_mock.faults == []
            create_dataset(graviti_mock.access_key, graviti_mock.url, "MNIST")
        """
    )
    run(project).assert_outcomes(passed=4)


def test_delay_and_clock(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import time
        from graviti.openapi import create_dataset, list_datasets

        def test_delay(graviti_mock):
            graviti_mock.delay("list_datasets", 250)
            started = time.perf_counter()
            list_datasets(graviti_mock.access_key, graviti_mock.url)
            assert time.perf_counter() - started >= 0.25

        def test_clock(graviti_mock):
            graviti_mock.clock.set("2024-02-29T12:00:00Z")
            first = create_dataset(graviti_mock.access_key, graviti_mock.url, "a")
            graviti_mock.clock.advance(seconds=30)
            second = create_dataset(graviti_mock.access_key, graviti_mock.url, "b")
            assert (first["created_at"], second["created_at"]) == (
                "2024-02-29T12:00:00Z",
                "2024-02-29T12:00:30Z",
            )

        def test_clock_is_back_to_real_time(graviti_mock):
            assert not graviti_mock.clock.frozen
        """
    )
    run(project).assert_outcomes(passed=3)


def test_seed_marker_forms(project: pytest.Pytester) -> None:
    project.makefile(
        ".yaml",
        seed_file="""
        datasets:
          - name: from-file
        """,
    )
    project.makepyfile(
        """
        import pytest
        from graviti.openapi import list_datasets

        def names(mock):
            listing = list_datasets(mock.access_key, mock.url)
            return [d["name"] for d in listing["datasets"]]

        @pytest.mark.graviti_seed({"datasets": [{"name": "from-mapping", "alias": "m"}]})
        def test_mapping(graviti_mock):
            assert names(graviti_mock) == ["from-mapping"]

        @pytest.mark.graviti_seed(datasets=[{"name": "from-kwargs"}])
        def test_kwargs(graviti_mock):
            assert names(graviti_mock) == ["from-kwargs"]

        @pytest.mark.graviti_seed("seed_file.yaml")
        def test_file(graviti_mock):
            assert names(graviti_mock) == ["from-file"]

        @pytest.mark.graviti_seed(datasets=[{"name": "outer"}])
        class TestNested:
            @pytest.mark.graviti_seed(datasets=[{"name": "inner"}])
            def test_both_apply_outermost_first(self, graviti_mock):
                assert names(graviti_mock) == ["outer", "inner"]

        @pytest.mark.graviti_seed(
            workspaces=[{"name": "acme", "type": "TEAM"}],
            datasets=[{"name": "theirs", "workspace": "acme", "is_public": True}],
        )
        def test_other_workspaces(graviti_mock):
            assert names(graviti_mock) == []
            state = graviti_mock.state()
            assert [(d["workspace"], d["name"]) for d in state["datasets"]] == [("acme", "theirs")]

        def test_unmarked_is_empty(graviti_mock):
            assert names(graviti_mock) == []

        @pytest.mark.graviti_seed(dataset=[{"name": "typo"}])
        def test_unknown_section_is_a_usage_error(graviti_mock):
            pass
        """
    )
    result = run(project)
    result.assert_outcomes(passed=6, errors=1)
    result.stdout.fnmatch_lines(["*unknown sections*'dataset'*use workspaces*"])


def test_seed_method_fills_in_the_workspace(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        from graviti.openapi import get_dataset

        def test_it(graviti_mock):
            graviti_mock.seed({"datasets": [{"name": "seeded", "creator": "me"}]})
            found = get_dataset(
                graviti_mock.access_key, graviti_mock.url, graviti_mock.workspace, "seeded"
            )
            assert found["creator"] == "me"
        """
    )
    run(project).assert_outcomes(passed=1)


def test_settings_fixture_is_overridable(project: pytest.Pytester) -> None:
    project.makefile(".json", start='{"datasets": [{"name": "at-start", "workspace": "pytest"}]}')
    project.makeconftest(
        """
        import pathlib
        import pytest
        from mock_server import Settings

        @pytest.fixture(scope="session")
        def graviti_mock_settings():
            start = pathlib.Path(__file__).parent / "start.json"
            return Settings(database="sqlite://", port=0, seed=start, id_seed=11)

        @pytest.fixture
        def graviti_mock_access_key():
            return "ACCESSKEY-custom-key-0001"
        """
    )
    project.makepyfile(
        """
        from graviti.openapi import create_dataset, list_datasets
        from mock_server.core.clock import IdFactory

        def test_start_up_seed_and_key(graviti_mock):
            assert graviti_mock.access_key == "ACCESSKEY-custom-key-0001"
            listing = list_datasets(graviti_mock.access_key, graviti_mock.url)
            assert [d["name"] for d in listing["datasets"]] == ["at-start"]
            create_dataset(graviti_mock.access_key, graviti_mock.url, "mine")

        def test_reset_goes_back_to_the_start_up_seed_with_reseeded_ids(graviti_mock):
            listing = list_datasets(graviti_mock.access_key, graviti_mock.url)
            assert [d["name"] for d in listing["datasets"]] == ["at-start"]
            ids = IdFactory(11)
            assert listing["datasets"][0]["id"] == [ids.new() for _ in range(2)][1]
        """
    )
    run(project).assert_outcomes(passed=2)


def test_inprocess_fixture_gives_the_high_level_sdk(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import graviti
        import pytest

        @pytest.mark.graviti_seed(datasets=[{"name": "MNIST"}])
        def test_it(graviti_inprocess, graviti_mock_access_key):
            workspace = graviti.Workspace(graviti_mock_access_key)
            assert workspace.name == "pytest"
            assert [d.name for d in workspace.datasets.list()] == ["MNIST"]
            graviti_inprocess.fail("create_dataset", status=503)
            workspace.datasets.create("new")
            graviti_inprocess.assert_called("create_dataset", times=2)
        """
    )
    run(project).assert_outcomes(passed=1)


def test_marker_is_registered_for_strict_markers(project: pytest.Pytester) -> None:
    result = run(project, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.graviti_seed(*"])


def test_graviti_mock_url_points_the_fixtures_at_a_running_server(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ServerProcess(args=["--control-token", "tok"]) as server:
        monkeypatch.setenv("GRAVITI_MOCK_URL", server.url)
        monkeypatch.setenv("GRAVITI_MOCK_CONTROL_TOKEN", "tok")
        project.makepyfile(
            f"""
            from graviti.openapi import create_dataset

            def test_it(graviti_mock, graviti_server):
                assert graviti_mock.url == graviti_server.url == "{server.url}"
                create_dataset(graviti_mock.access_key, graviti_mock.url, "remote")
            """
        )
        run(project).assert_outcomes(passed=1)
        # The dataset is on that server, which the run neither started nor stopped.
        control = MockControl(server.url, token="tok")
        assert [d["name"] for d in control.state()["datasets"]] == ["remote"]
        assert server.running


def test_nothing_happens_until_a_fixture_is_asked_for(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import sys

        def test_no_server_and_no_app_imported():
            assert "mock_server.plugin" in sys.modules
            assert "mock_server.app" not in sys.modules
            assert "mock_server.testing" not in sys.modules
            assert "fastapi" not in sys.modules
        """
    )
    project.runpytest_subprocess(*PLUGIN_ARGS).assert_outcomes(passed=1)


def test_inprocess_fixture_honours_the_settings_fixture(project: pytest.Pytester) -> None:
    project.makefile(".yaml", start="datasets:\n  - {name: at-start, workspace: pytest}\n")
    project.makeconftest(
        """
        import pathlib
        import pytest
        from mock_server import Settings

        @pytest.fixture(scope="session")
        def graviti_mock_settings():
            return Settings(
                database="sqlite://",
                port=0,
                seed=pathlib.Path(__file__).parent / "start.yaml",
                id_seed=5,
                frozen_time="2024-01-01T00:00:00Z",
                control_token="s3cret",
            )
        """
    )
    project.makepyfile(
        """
        import graviti
        from mock_server.core.clock import IdFactory

        def test_seed_ids_and_frozen_time(graviti_inprocess, graviti_mock_access_key):
            workspace = graviti.Workspace(graviti_mock_access_key)
            assert [d.name for d in workspace.datasets.list()] == ["at-start"]
            created = workspace.datasets.create("mine")
            assert created.created_at.isoformat().startswith("2024-01-01T00:00:00")
            # Ids in creation order: the seed's workspace and dataset, the key's user.
            ids = IdFactory(5)
            expected = [ids.new() for _ in range(4)]
            state = graviti_inprocess.state()
            assert [d["id"] for d in state["datasets"]] == [expected[1], expected[3]]
            graviti_inprocess.reset()
            assert [d.name for d in workspace.datasets.list()] == ["at-start"]
        """
    )
    run(project).assert_outcomes(passed=1)
