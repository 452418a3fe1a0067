"""The CI workflows parse and run the README's test command; the pre-commit config is sane."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def readme_test_command() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    line = next(line for block in blocks for line in block.splitlines() if "the test command" in line)
    return line.split("#")[0].strip()


def run_steps(path: Path) -> list[str]:
    workflow = yaml.safe_load(path.read_text())
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_readme_names_make_test():
    assert readme_test_command() == "make test"


def test_ci_script_calls_the_readme_command():
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert readme_test_command() in lines


def test_cpu_workflow_runs_the_test_command_on_push():
    workflow = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as True
    assert "push" in triggers
    assert readme_test_command() in run_steps(WORKFLOWS / "ci.yml")


def test_gpu_workflow_runs_the_same_command_in_full_mode():
    workflow = yaml.safe_load((WORKFLOWS / "gpu-full.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]
    assert "workflow_dispatch" in triggers and "schedule" in triggers
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == ["self-hosted", "gpu"]
    assert "HF_HOME" in job["env"]
    assert f"{readme_test_command()} MODE=full" in run_steps(WORKFLOWS / "gpu-full.yml")


def test_makefile_full_mode_keeps_the_same_pytest_invocation():
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test: .*\n\t(.*)$", makefile, re.M).group(1)
    assert test_recipe.startswith("$(TEST_ENV)") and "--nbval-lax" in makefile
    assert "TEST_ENV := COURSE_MODE=$(MODE)" in makefile


def test_pre_commit_strips_notebooks_and_runs_ruff():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"nbstripout", "ruff"} <= ids


def test_environment_yml_installs_the_pinned_set_and_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_lines = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements.txt" in pip_lines and "-e ." in pip_lines


def test_requirements_are_exact_pins_with_the_cpu_torch_first_in_make():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert all("==" in line for line in lines), "requirements.txt holds exact pins of the tested set"
    assert "torch==2.13.0" in lines and "openai-clip==1.0.1" in lines
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.index("pip install -q torch==2.13.0") < makefile.index("pip install -q -r requirements.txt")


def test_pyproject_has_lower_bounds_only_and_no_torch_pin():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert "==" not in requirement and "<" not in requirement, requirement
    assert project["urls"]["Repository"].startswith("https://")


def test_dtype_workflow_runs_make_test_dtypes_for_both_low_precision_dtypes():
    workflow = yaml.safe_load((WORKFLOWS / "dtypes.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["dtype"] == ["float16", "bfloat16"]
    assert run_steps(WORKFLOWS / "dtypes.yml") == ["make test-dtypes DTYPES=${{ matrix.dtype }}"]
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test-dtypes: .*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "COURSE_DEVICE=cpu COURSE_DTYPE=$$dtype" in recipe and "tests notebooks $(PYTEST_NB)" in recipe
    assert re.search(r"^DTYPES \?= float16 bfloat16$", makefile, re.M)
