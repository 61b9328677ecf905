#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/k8s_manifest.py - contrib/kubernetes/mailcheck-job.yaml, checked offline

kubectl is not on these machines, so this test holds the published field
sets of the API types the manifest uses (Kubernetes API reference, batch/v1
Job and core/v1 types, as of Kubernetes 1.31) and checks every mapping of
the manifest against its type, as `kubectl apply --validate=strict` would:
no unknown field, required fields present, the right value types.  Then what
makes it an Indexed Job for mailcheck's shards: completionMode Indexed,
completions equal to --shards, parallelism within completions, restartPolicy
Never or OnFailure, JOB_COMPLETION_INDEX from the downward API annotation,
one --resume file per index on a mounted volume, the domains file on a
mounted ConfigMap, and every mailcheck option in args known to the binary.
Last, the checker is shown to catch mistakes: mutated copies of the
manifest must each fail with the problem named.
"""
import os, re, subprocess, sys

import yaml

src = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.environ.get("K8S_MANIFEST") or os.path.join(src, "contrib", "kubernetes", "mailcheck-job.yaml")
binary = sys.argv[1] if len(sys.argv) > 1 else None

S, I, B, ANY = "string", "integer", "boolean", "any"
# type name -> {field: type}; a type is a scalar, another type's name, or
# [type] for a list of it; "map" is a map of strings, "quantity" an int or
# a string
TYPES = {
    "Job": {"apiVersion": S, "kind": S, "metadata": "ObjectMeta", "spec": "JobSpec", "status": ANY},
    "ConfigMap": {"apiVersion": S, "kind": S, "metadata": "ObjectMeta", "data": "map",
                  "binaryData": "map", "immutable": B},
    "PersistentVolumeClaim": {"apiVersion": S, "kind": S, "metadata": "ObjectMeta",
                              "spec": "PersistentVolumeClaimSpec", "status": ANY},
    "ObjectMeta": {"annotations": "map", "creationTimestamp": S, "deletionGracePeriodSeconds": I,
                   "deletionTimestamp": S, "finalizers": [S], "generateName": S, "generation": I,
                   "labels": "map", "managedFields": [ANY], "name": S, "namespace": S,
                   "ownerReferences": [ANY], "resourceVersion": S, "selfLink": S, "uid": S},
    "JobSpec": {"activeDeadlineSeconds": I, "backoffLimit": I, "backoffLimitPerIndex": I,
                "completionMode": S, "completions": I, "managedBy": S, "manualSelector": B,
                "maxFailedIndexes": I, "parallelism": I, "podFailurePolicy": ANY,
                "podReplacementPolicy": S, "selector": ANY, "successPolicy": ANY, "suspend": B,
                "template": "PodTemplateSpec", "ttlSecondsAfterFinished": I},
    "PodTemplateSpec": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodSpec": {"activeDeadlineSeconds": I, "affinity": ANY, "automountServiceAccountToken": B,
                "containers": ["Container"], "dnsConfig": ANY, "dnsPolicy": S,
                "enableServiceLinks": B, "ephemeralContainers": [ANY], "hostAliases": [ANY],
                "hostIPC": B, "hostNetwork": B, "hostPID": B, "hostUsers": B, "hostname": S,
                "imagePullSecrets": [ANY], "initContainers": ["Container"], "nodeName": S,
                "nodeSelector": "map", "os": ANY, "overhead": ANY, "preemptionPolicy": S,
                "priority": I, "priorityClassName": S, "readinessGates": [ANY],
                "resourceClaims": [ANY], "restartPolicy": S, "runtimeClassName": S,
                "schedulerName": S, "schedulingGates": [ANY], "securityContext": ANY,
                "serviceAccount": S, "serviceAccountName": S, "setHostnameAsFQDN": B,
                "shareProcessNamespace": B, "subdomain": S, "terminationGracePeriodSeconds": I,
                "tolerations": [ANY], "topologySpreadConstraints": [ANY], "volumes": ["Volume"]},
    "Container": {"args": [S], "command": [S], "env": ["EnvVar"], "envFrom": [ANY], "image": S,
                  "imagePullPolicy": S, "lifecycle": ANY, "livenessProbe": ANY, "name": S,
                  "ports": [ANY], "readinessProbe": ANY, "resizePolicy": [ANY],
                  "resources": "ResourceRequirements", "restartPolicy": S, "securityContext": ANY,
                  "startupProbe": ANY, "stdin": B, "stdinOnce": B, "terminationMessagePath": S,
                  "terminationMessagePolicy": S, "tty": B, "volumeDevices": [ANY],
                  "volumeMounts": ["VolumeMount"], "workingDir": S},
    "EnvVar": {"name": S, "value": S, "valueFrom": "EnvVarSource"},
    "EnvVarSource": {"configMapKeyRef": "KeySelector", "fieldRef": "ObjectFieldSelector",
                     "resourceFieldRef": ANY, "secretKeyRef": "KeySelector"},
    "KeySelector": {"key": S, "name": S, "optional": B},
    "ObjectFieldSelector": {"apiVersion": S, "fieldPath": S},
    "ResourceRequirements": {"claims": [ANY], "limits": "quantities", "requests": "quantities"},
    "VolumeMount": {"mountPath": S, "mountPropagation": S, "name": S, "readOnly": B,
                    "recursiveReadOnly": S, "subPath": S, "subPathExpr": S},
    "Volume": {"name": S, "configMap": "ConfigMapVolumeSource", "emptyDir": ANY,
               "hostPath": ANY, "nfs": ANY, "persistentVolumeClaim": "PVCVolumeSource",
               "secret": ANY, "projected": ANY, "downwardAPI": ANY, "csi": ANY, "ephemeral": ANY},
    "ConfigMapVolumeSource": {"defaultMode": I, "items": [ANY], "name": S, "optional": B},
    "PVCVolumeSource": {"claimName": S, "readOnly": B},
    "PersistentVolumeClaimSpec": {"accessModes": [S], "dataSource": ANY, "dataSourceRef": ANY,
                                  "resources": "VolumeResourceRequirements", "selector": ANY,
                                  "storageClassName": S, "volumeAttributesClassName": S,
                                  "volumeMode": S, "volumeName": S},
    "VolumeResourceRequirements": {"limits": "quantities", "requests": "quantities"},
}
REQUIRED = {"Job": ["apiVersion", "kind", "metadata", "spec"], "JobSpec": ["template"],
            "PodSpec": ["containers"], "Container": ["name"], "EnvVar": ["name"],
            "VolumeMount": ["name", "mountPath"], "Volume": ["name"],
            "ObjectFieldSelector": ["fieldPath"], "KeySelector": ["key"],
            "PVCVolumeSource": ["claimName"]}
errs = []


def check(node, typ, where):
    if typ == ANY:
        return
    if isinstance(typ, list):
        if not isinstance(node, list):
            errs.append(f"{where}: a list expected")
            return
        for k, item in enumerate(node):
            check(item, typ[0], f"{where}[{k}]")
        return
    scalar = {S: str, I: int, B: bool}
    if typ in scalar:
        # YAML's true is an int too in Python: tell them apart
        if not isinstance(node, scalar[typ]) or (typ == I and isinstance(node, bool)):
            errs.append(f"{where}: {typ} expected, got {node!r}")
        return
    if typ in ("map", "quantities"):
        ok = isinstance(node, dict) and all(isinstance(v, str) or (typ == "quantities" and isinstance(v, int))
                                            for v in node.values())
        if not ok:
            errs.append(f"{where}: a map of {'quantities' if typ == 'quantities' else 'strings'} expected")
        return
    if not isinstance(node, dict):
        errs.append(f"{where}: an object ({typ}) expected")
        return
    for k, v in node.items():
        if k not in TYPES[typ]:
            errs.append(f"{where}: unknown field '{k}' in {typ}")
        else:
            check(v, TYPES[typ][k], f"{where}.{k}")
    for k in REQUIRED.get(typ, []):
        if k not in node:
            errs.append(f"{where}: {typ} needs '{k}'")


docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
kinds = {d.get("kind"): d for d in docs}
for d in docs:
    want = {"Job": "batch/v1", "ConfigMap": "v1", "PersistentVolumeClaim": "v1"}.get(d.get("kind"))
    if want is None:
        errs.append(f"unexpected kind {d.get('kind')!r}")
        continue
    if d.get("apiVersion") != want:
        errs.append(f"{d['kind']}: apiVersion {d.get('apiVersion')!r}, expected {want}")
    check(d, d["kind"], d["kind"])

job = kinds.get("Job")
if job is None:
    errs.append("no Job in the manifest")
else:
    spec = job.get("spec", {})
    pod = spec.get("template", {}).get("spec", {})
    c = (pod.get("containers") or [{}])[0]
    args = c.get("args", [])
    if spec.get("completionMode") != "Indexed":
        errs.append("spec.completionMode must be Indexed")
    comp, par = spec.get("completions"), spec.get("parallelism")
    if not isinstance(comp, int) or comp < 1:
        errs.append("spec.completions must be a positive integer (the shard count)")
    if not isinstance(par, int) or par < 1 or (isinstance(comp, int) and par > comp):
        errs.append("spec.parallelism must be from 1 to completions")
    if pod.get("restartPolicy") not in ("Never", "OnFailure"):
        errs.append("a Job's pods need restartPolicy Never or OnFailure")
    def after(opt):
        return args[args.index(opt) + 1] if opt in args and args.index(opt) + 1 < len(args) else None
    if after("--shard") != "auto":
        errs.append("args need --shard auto")
    if after("--shards") != str(comp):
        errs.append(f"--shards {after('--shards')} differs from completions {comp}")
    env = {e["name"]: e for e in c.get("env", [])}
    fp = env.get("JOB_COMPLETION_INDEX", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    if fp != "metadata.annotations['batch.kubernetes.io/job-completion-index']":
        errs.append(f"JOB_COMPLETION_INDEX must come from the downward API annotation, not {fp!r}")
    mounts = {m["mountPath"].rstrip("/"): m["name"] for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        if m["name"] not in vols:
            errs.append(f"volumeMount {m['name']} names no volume")

    def volume_of(p):
        for mp, name in mounts.items():
            if p and p.startswith(mp + "/"):
                return vols.get(name)
        return None
    resume = after("--resume") or ""
    if "$(JOB_COMPLETION_INDEX)" not in resume:
        errs.append(f"--resume {resume!r} is not one file per index")
    if volume_of(resume) is None:
        errs.append(f"--resume {resume!r} is not on a mounted volume")
    dv = volume_of(after("--domains-file"))
    cm = (dv or {}).get("configMap", {}).get("name")
    if cm is None and "persistentVolumeClaim" not in (dv or {}):
        errs.append("--domains-file is not on a mounted ConfigMap or volume")
    elif cm is not None:
        cmdoc = kinds.get("ConfigMap", {})
        key = after("--domains-file").rsplit("/", 1)[1]
        if cmdoc.get("metadata", {}).get("name") != cm or key not in cmdoc.get("data", {}):
            errs.append(f"ConfigMap {cm} with key {key} is not in the manifest")
    claim = (volume_of(resume) or {}).get("persistentVolumeClaim", {}).get("claimName")
    if claim is not None and kinds.get("PersistentVolumeClaim", {}).get("metadata", {}).get("name") != claim:
        errs.append(f"PersistentVolumeClaim {claim} is not in the manifest")
    # every option is one the binary knows
    if binary:
        help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
        known = set(re.findall(r"--[a-z][a-z0-9-]*", help_text))
        for a in args:
            if a.startswith("--") and a not in known:
                errs.append(f"args use {a}, which mailcheck --help does not know")

# the checker catches mistakes: each mutant must fail, naming its problem
MUTANTS = [
    ("an unknown field", "  completionMode: Indexed\n", "  completionMode: Indexed\n  completionModes: Indexed\n",
     "unknown field 'completionModes'"),
    ("a non-indexed job", "completionMode: Indexed", "completionMode: NonIndexed", "must be Indexed"),
    ("shards unlike completions", "  completions: 8\n", "  completions: 9\n", "differs from completions"),
    ("a string for an integer", "  parallelism: 8\n", "  parallelism: \"8\"\n", "integer expected"),
    ("the index not from the downward API", "job-completion-index']", "job-index']", "downward API"),
    ("a restarting pod", "restartPolicy: Never", "restartPolicy: Always", "restartPolicy"),
    ("one file for all", "part-$(JOB_COMPLETION_INDEX).jsonl", "part.jsonl", "one file per index"),
]
if not os.environ.get("K8S_MANIFEST") and not errs:
    import tempfile
    text = open(path).read()
    for name, old, new, want in MUTANTS:
        if old not in text:
            errs.append(f"mutant '{name}': '{old.strip()}' is not in the manifest")
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as t:
            t.write(text.replace(old, new, 1))
            t.flush()
            r = subprocess.run([sys.executable, os.path.abspath(__file__)] + sys.argv[1:2], capture_output=True,
                               text=True, env=dict(os.environ, K8S_MANIFEST=t.name))
        if r.returncode == 0 or want not in r.stdout:
            errs.append(f"mutant '{name}' not caught: {r.stdout.strip()[-200:]}")
        else:
            print(f"ok   caught: {name}")

for e in errs:
    print("FAIL", e)
if not errs:
    print(f"ok   {os.path.relpath(path, src)}: {len(docs)} objects, every field known, an Indexed Job of "
          f"{job['spec']['completions']} shards")
sys.exit(1 if errs else 0)
