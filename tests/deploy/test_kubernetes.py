"""deploy/kubernetes: a kustomize base whose every manifest passes `kubernetes-validate`
(offline, strict, against the pinned Kubernetes version), wired as the README says."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.secret_files import SECRET_SETTINGS
from tests.deploy.tools import DEPLOY, ROOT, tool

BASE = DEPLOY / "kubernetes"
# The Kubernetes version the manifests are checked against: the oldest minor release still
# supported upstream when this was written. Raise it as clusters move on.
KUBERNETES_VERSION = "1.34.0"


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((BASE / "kustomization.yaml").read_text())


def resources() -> list[dict[str, Any]]:
    found = []
    for name in kustomization()["resources"]:
        found += [document for document in yaml.safe_load_all((BASE / name).read_text())]
    return found


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {item["metadata"]["name"]: item for item in resources() if item["kind"] == kind}


def validate(documents: list[dict[str, Any]]) -> None:
    import kubernetes_validate

    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_every_file_is_in_the_kustomization() -> None:
    listed = set(kustomization()["resources"])
    on_disk = {path.name for path in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


def test_every_manifest_validates_offline_against_the_pinned_version() -> None:
    validate(resources())


def test_the_validation_does_reject_a_mistake() -> None:
    """Strict validation catches a misspelt field (the check above can fail)."""
    import kubernetes_validate

    broken = copy.deepcopy(of_kind("Deployment")["peer-support-web"])
    container = broken["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["readOnlyRootFilesytem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        validate([broken])


def test_the_command_line_validator_passes_the_files_too() -> None:
    binary = tool("kubernetes-validate", installed_by="the dev extra")
    files = [str(BASE / name) for name in kustomization()["resources"]]
    done = subprocess.run(
        [binary, "--strict", "--quiet", "-k", KUBERNETES_VERSION, *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_what_the_base_holds() -> None:
    kinds = sorted(item["kind"] for item in resources())
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "Deployment",
            "Job",
            "PodDisruptionBudget",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
        ]
    )
    assert "Secret" not in kinds  # referenced, never inlined


def pod_specs() -> dict[str, dict[str, Any]]:
    specs = {name: item["spec"]["template"]["spec"] for name, item in of_kind("Deployment").items()}
    specs.update({name: item["spec"]["template"]["spec"] for name, item in of_kind("Job").items()})
    return specs


def image_uid() -> int:
    match = re.search(r"ARG APP_UID=(\d+)", (ROOT / "Dockerfile").read_text())
    assert match
    return int(match[1])


def test_pods_run_non_root_on_a_read_only_root_with_limits() -> None:
    for name, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == image_uid(), name  # the image's user
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), name
            assert {"cpu", "memory"} <= resources["limits"].keys(), name
            mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
            assert "/tmp" in mounts, name  # the only place written to


def test_processes_and_probes() -> None:
    deployments = of_kind("Deployment")
    for name, process in (("peer-support-web", "web"), ("peer-support-worker", "worker")):
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [process]
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        [port] = container["ports"]
        assert container["livenessProbe"]["httpGet"]["port"] == port["name"]
        assert port["containerPort"] == 3000
    [worker] = deployments["peer-support-worker"]["spec"]["template"]["spec"]["containers"]
    assert {"name": "HEALTH_PORT", "value": "3000"} in worker["env"]
    [migrate] = of_kind("Job")["peer-support-migrate"]["spec"]["template"]["spec"]["containers"]
    assert migrate["args"] == ["db", "upgrade"]
    images = {
        container["image"] for spec in pod_specs().values() for container in spec["containers"]
    }
    assert images == {entry["name"] for entry in kustomization()["images"]}


def test_secrets_are_mounted_files_named_by_the_config() -> None:
    [config] = of_kind("ConfigMap").values()
    settings = config["data"]
    assert not set(SECRET_SETTINGS) & set(settings), "a secret value in the ConfigMap"
    files = {key: value for key, value in settings.items() if key.endswith("_FILE")}
    assert {"DATABASE_URL_FILE", "ENCRYPTION_KEYS_FILE"} <= files.keys()
    for spec in pod_specs().values():
        [container] = spec["containers"]
        assert {"configMapRef": {"name": config["metadata"]["name"]}} in container["envFrom"]
        assert all(entry["name"] not in SECRET_SETTINGS for entry in container.get("env", []))
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        [mount] = [m for m in container["volumeMounts"] if "secret" in volumes[m["name"]]]
        assert volumes[mount["name"]]["secret"]["secretName"] == "peer-support-secrets"
        for path in files.values():
            assert Path(path).parent == Path(mount["mountPath"])


def test_service_and_disruption_budgets_select_the_pods() -> None:
    labels = {
        name: item["spec"]["template"]["metadata"]["labels"]
        for name, item in of_kind("Deployment").items()
    }
    [service] = of_kind("Service").values()
    assert service["spec"]["selector"].items() <= labels["peer-support-web"].items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    budgets = of_kind("PodDisruptionBudget")
    assert set(budgets) == set(labels)
    for name, budget in budgets.items():
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels[name].items()
        assert budget["spec"]["minAvailable"] >= 1
        assert of_kind("Deployment")[name]["spec"]["replicas"] > budget["spec"]["minAvailable"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl here to build the base")
def test_kustomize_builds_the_base(tmp_path: Path) -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(BASE)], capture_output=True, text=True, timeout=120
    )
    assert built.returncode == 0, built.stderr
    documents = list(yaml.safe_load_all(built.stdout))
    validate(documents)
    images = {
        container["image"]
        for document in documents
        if document["kind"] in ("Deployment", "Job")
        for container in document["spec"]["template"]["spec"]["containers"]
    }
    [entry] = kustomization()["images"]
    assert images == {f"{entry['newName']}:{entry['newTag']}"}
