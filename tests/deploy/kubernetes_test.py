#!/usr/bin/python3
"""deploy/kubernetes, validated offline: every object against the Kubernetes
API schemas (npm kubernetes-models, installed with `npm ci` from
tests/deploy/k8s/package-lock.json into the build directory), a broken copy
must fail that validation, and the pieces must fit: probes on /-/ready and
/-/healthy, resources set, a PersistentVolumeClaim template mounted at
/strata, the ConfigMap at /etc/strata with a strata.yml and rule files that
`stratatool check config` / `check rules` accept, the Service selecting the
pods, the ServiceAccount used, kustomization.yaml listing every file.

usage: kubernetes_test.py <stratatool> <deploy/kubernetes dir> <work dir>
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, timeout=300, **kw)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def main():
    stratatool, src, work = (os.path.abspath(a) for a in sys.argv[1:4])
    failures = []
    # The validator's dependencies, installed once per lockfile.
    os.makedirs(work, exist_ok=True)
    lock = open(os.path.join(HERE, "k8s", "package-lock.json")).read()
    have = os.path.join(work, "package-lock.json")
    if not os.path.isdir(os.path.join(work, "node_modules")) or not os.path.exists(have) or open(have).read() != lock:
        for f in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(HERE, "k8s", f), work)
        rc, out, err = run(["npm", "ci", "--no-audit", "--no-fund"], cwd=work)
        if rc != 0:
            print("FAIL npm ci: %s%s" % (out, err))
            return 1
    shutil.copy(os.path.join(HERE, "k8s", "validate.mjs"), work)
    files = sorted(glob.glob(os.path.join(src, "*.yaml")))
    rc, out, err = run(["node", os.path.join(work, "validate.mjs")] + files)
    print(out, end="")
    if rc != 0:
        failures.append("schema validation: %s%s" % (out, err))

    docs = {}
    for f in files:
        for d in yaml.safe_load_all(open(f)):
            if d:
                docs[d["kind"]] = d
    with tempfile.TemporaryDirectory(prefix="strata-k8s-") as d:
        broken = os.path.join(d, "broken.yaml")
        bad = yaml.safe_load(open(os.path.join(src, "statefulset.yaml")))
        bad["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
        yaml.safe_dump(bad, open(broken, "w"))
        rc, out, err = run(["node", os.path.join(work, "validate.mjs"), broken])
        if rc == 0:
            failures.append("a StatefulSet with a string containerPort passed validation")

        sts = docs.get("StatefulSet")
        cm = docs.get("ConfigMap")
        if not sts or not cm or "Service" not in docs or "ServiceAccount" not in docs:
            failures.append("missing kinds: %s" % sorted(docs))
            sts = cm = None
        if sts:
            pod = sts["spec"]["template"]
            c = pod["spec"]["containers"][0]
            if c["readinessProbe"]["httpGet"]["path"] != "/-/ready":
                failures.append("readiness probe is not /-/ready")
            if c["livenessProbe"]["httpGet"]["path"] != "/-/healthy":
                failures.append("liveness probe is not /-/healthy")
            for k in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(c["resources"].get(k, {})):
                    failures.append("resources.%s lacks cpu or memory" % k)
            mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
            claims = [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]]
            if mounts.get("data") != "/strata" or "data" not in claims:
                failures.append("no PersistentVolumeClaim template mounted at /strata")
            if mounts.get("config") != "/etc/strata":
                failures.append("the ConfigMap is not mounted at /etc/strata")
            if "--config.file=/etc/strata/strata.yml" not in c["args"] or "--storage.tsdb.path=/strata" not in c["args"]:
                failures.append("args do not point at /etc/strata/strata.yml and /strata: %s" % c["args"])
            if pod["spec"]["serviceAccountName"] != docs["ServiceAccount"]["metadata"]["name"]:
                failures.append("the pods do not use the ServiceAccount")
            labels = pod["metadata"]["labels"]
            if any(labels.get(k) != v for k, v in docs["Service"]["spec"]["selector"].items()):
                failures.append("the Service does not select the pods")
        if cm:
            conf = os.path.join(d, "etc")
            os.makedirs(conf)
            for name, text in cm["data"].items():
                with open(os.path.join(conf, name), "w") as f:
                    f.write(text.replace("/etc/strata/", conf + "/"))
            rc, out, err = run([stratatool, "check", "config", os.path.join(conf, "strata.yml")])
            if rc != 0:
                failures.append("check config: %s%s" % (out, err))
            rules = sorted(glob.glob(os.path.join(conf, "*.rules.yml")))
            rc, out, err = run([stratatool, "check", "rules"] + rules)
            if not rules or rc != 0:
                failures.append("check rules: %s%s" % (out, err))
    kust = yaml.safe_load(open(os.path.join(src, "kustomization.yaml")))
    listed = set(kust["resources"])
    present = {os.path.basename(f) for f in files} - {"kustomization.yaml"}
    if listed != present:
        failures.append("kustomization.yaml lists %s, the directory has %s" % (sorted(listed), sorted(present)))
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
