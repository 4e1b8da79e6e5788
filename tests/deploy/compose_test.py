#!/usr/bin/python3
"""The compose stack (deploy/compose, deploy/stack) brought up for real with
podman-compose, and its Grafana provisioning checked offline.

  1. compose.yml passes `docker-compose config -q` (Debian's docker-compose
     1.29) and names the services deploy/stack knows.
  2. Grafana's provisioning files: one default data source of type
     prometheus whose URL is the strata service's port inside the stack; the
     dashboard provider's path is where compose mounts deploy/dashboards; every
     dashboard there is Grafana JSON whose data source resolves to that data
     source; the home dashboard exists. Grafana itself is not installable here
     (no Debian package, no registry), so it is the one service not started.
  3. `deploy/stack up strata alertmanager node-exporter demo` with a project
     name, image tags and ports of its own: the images are built (Strata's
     with deploy/container/build.sh, the others from Debian packages), the
     stack starts, and `deploy/stack verify` passes: containers running,
     health endpoints, every job scraped, rules loaded, the Watchdog alert
     delivered through Alertmanager to the webhook, the dashboards' metrics
     with data. The data source URL answers from inside the stack's network,
     as Grafana would call it.
  4. `urls` and `logs` work; `down` removes the containers and keeps the
     volumes; a second `up` (no rebuild) finds the earlier samples; `clean`
     removes the containers, volumes and images.

All traffic is to 127.0.0.1 and the test's containers; every wait is bounded.
usage: compose_test.py <repository root>
Exit status: 0 passed, 1 failed, 77 skipped (not root: podman needs root here).
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklog import check, failures, finish, free_port, log  # noqa: E402


def run(cmd, env=None, timeout=600, check_rc=True):
    log("$ " + " ".join(cmd))
    res = subprocess.run(cmd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if check_rc and res.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(cmd), res.returncode, res.stdout[-6000:]))
    return res


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


# --- offline checks -----------------------------------------------------------

def check_compose_file(root):
    compose_dir = os.path.join(root, "deploy/compose")
    res = run(["docker-compose", "-f", os.path.join(compose_dir, "compose.yml"), "config", "-q"], check_rc=False)
    check(res.returncode == 0, "docker-compose config -q accepts compose.yml %s" % res.stdout.strip()[-300:])
    with open(os.path.join(compose_dir, "compose.yml")) as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    check(set(services) == {"strata", "alertmanager", "node-exporter", "demo", "grafana"},
          "services %s" % sorted(services))
    for name, svc in services.items():
        ports = svc.get("ports", [])
        check(ports and all(str(p).startswith("127.0.0.1:") for p in ports),
              "%s publishes on 127.0.0.1 only (%s)" % (name, ports))
    return compose


def mounts(service):
    """container path -> host path (relative to deploy/compose) of a service's bind mounts."""
    out = {}
    for v in service.get("volumes", []):
        parts = v.split(":")
        if parts[0].startswith((".", "/")):
            out[parts[1]] = parts[0]
    return out


def check_grafana_provisioning(root, compose):
    compose_dir = os.path.join(root, "deploy/compose")
    grafana = compose["services"]["grafana"]
    m = mounts(grafana)
    prov = m.get("/etc/grafana/provisioning")
    check(prov == "./grafana/provisioning", "grafana mounts its provisioning directory (%s)" % prov)
    prov_dir = os.path.normpath(os.path.join(compose_dir, prov or ""))

    with open(os.path.join(prov_dir, "datasources/strata.yml")) as f:
        ds_file = yaml.safe_load(f)
    sources = ds_file.get("datasources", [])
    check(ds_file.get("apiVersion") == 1 and len(sources) == 1, "one provisioned data source (apiVersion 1)")
    ds = sources[0]
    check(ds.get("type") == "prometheus" and ds.get("isDefault") is True and ds.get("access") == "proxy",
          "data source %r: type prometheus, default, proxy access" % ds.get("name"))
    u = urllib.parse.urlsplit(ds.get("url", ""))
    strata_cmd = " ".join(compose["services"]["strata"]["command"])
    listen = re.search(r"--web.listen-address=\S*:(\d+)", strata_cmd)
    check(u.hostname == "strata" and listen and str(u.port) == listen.group(1),
          "data source URL %s is the strata service's listen port" % ds.get("url"))

    with open(os.path.join(prov_dir, "dashboards/strata.yml")) as f:
        providers = yaml.safe_load(f).get("providers", [])
    check(len(providers) == 1 and providers[0].get("type") == "file", "one file dashboard provider")
    path = providers[0].get("options", {}).get("path")
    host = m.get(path)
    check(host == "../dashboards", "the provider's path %s is where deploy/dashboards is mounted (%s)" % (path, host))
    dash_dir = os.path.normpath(os.path.join(compose_dir, host or ""))
    files = sorted(f for f in os.listdir(dash_dir) if f.endswith(".json"))
    check(len(files) >= 10, "%d dashboards in %s" % (len(files), dash_dir))
    uids = set()
    for name in files:
        with open(os.path.join(dash_dir, name)) as f:
            d = json.load(f)
        uids.add(d.get("uid"))
        ds_vars = {v["name"]: v for v in d.get("templating", {}).get("list", []) if v.get("type") == "datasource"}
        refs = set()

        def walk(o):
            if isinstance(o, dict):
                ref = o.get("datasource")
                if isinstance(ref, dict) and ref.get("uid"):
                    refs.add(ref["uid"])
                elif isinstance(ref, str):
                    refs.add(ref)
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(d.get("panels", []))
        walk(d.get("templating", {}))
        # A reference resolves when it names the provisioned uid, or a data
        # source variable of type prometheus (which picks the default: Strata).
        unresolved = []
        for r in refs:
            var = re.fullmatch(r"\$\{?(\w+)\}?", r)
            if r in (ds.get("uid"), "-- Grafana --", "-- Dashboard --", "-- Mixed --"):
                continue
            if var and var.group(1) in ds_vars and ds_vars[var.group(1)].get("query") == "prometheus":
                continue
            unresolved.append(r)
        check(d.get("uid") and d.get("title") and not unresolved,
              "%s: %r, data sources resolve to Strata (unresolved: %s)" % (name, d.get("title"), unresolved))
    check(len(uids) == len(files), "dashboard uids are unique")
    home = grafana.get("environment", {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    check(home.startswith(path + "/") and os.path.exists(os.path.join(dash_dir, home[len(path) + 1:])),
          "the home dashboard %s exists" % home)
    return ds


# --- the live stack -------------------------------------------------------------

def image_chain(tags):
    """The image ids of `tags` and of their parents, without the base images."""
    bases = {run(["podman", "image", "inspect", "--format", "{{.Id}}", b], check_rc=False).stdout.strip()
             for b in ("debian:bookworm", "debian:bookworm-slim")}
    out = set()
    for tag in tags:
        res = run(["podman", "image", "inspect", "--format", "{{.Id}}", tag], check_rc=False)
        image = res.stdout.strip() if res.returncode == 0 else ""
        while image and image not in bases and image not in out:
            out.add(image)
            image = run(["podman", "image", "inspect", "--format", "{{.Parent}}", image],
                        check_rc=False).stdout.strip()
    return out


def test_stack(root, ds):
    pid = os.getpid()
    env = dict(os.environ)
    env.update({
        "STACK_ENGINE": "podman",
        "STACK_PROJECT": "strata-compose-test-%d" % pid,
        "STRATA_IMAGE": "localhost/strata-compose-test:%d" % pid,
        "ALERTMANAGER_IMAGE": "localhost/strata-compose-test-alertmanager:%d" % pid,
        "NODE_EXPORTER_IMAGE": "localhost/strata-compose-test-node-exporter:%d" % pid,
        "DEMO_IMAGE": "localhost/strata-compose-test-demo:%d" % pid,
    })
    for var in ("STRATA_PORT", "ALERTMANAGER_PORT", "NODE_EXPORTER_PORT", "DEMO_PORT", "GRAFANA_PORT"):
        env[var] = str(free_port())
    stack = [os.path.join(root, "deploy/stack")]
    tags = [env[n] for n in ("STRATA_IMAGE", "ALERTMANAGER_IMAGE", "NODE_EXPORTER_IMAGE", "DEMO_IMAGE")]
    chain = set()  # our images and their parents, up to the base images
    services = ["strata", "alertmanager", "node-exporter", "demo"]
    strata = "http://127.0.0.1:%s" % env["STRATA_PORT"]
    try:
        t0 = time.monotonic()
        res = run(stack + ["up"] + services, env=env, timeout=3600)
        log("up (image builds included): %.0f s" % (time.monotonic() - t0))
        check("started strata, alertmanager, node-exporter, demo" in res.stdout, "up reports the services started")
        for name in ("STRATA_IMAGE", "ALERTMANAGER_IMAGE", "NODE_EXPORTER_IMAGE", "DEMO_IMAGE"):
            size = run(["podman", "image", "inspect", "--format", "{{.Size}}", env[name]]).stdout.strip()
            log("image %s: %.1f MB" % (env[name], int(size) / 1e6))

        t0 = time.monotonic()
        res = run(stack + ["verify", "--timeout=150"], env=env, timeout=400, check_rc=False)
        print(res.stdout, flush=True)
        check(res.returncode == 0, "deploy/stack verify passes (%.0f s)" % (time.monotonic() - t0))
        check("skip  grafana: not started" in res.stdout, "verify reports grafana as not started")

        # Grafana's data source URL, from a container on the stack's network.
        probe = ("import json,urllib.request;"
                 "print(json.load(urllib.request.urlopen('%s/api/v1/query?query=up',timeout=10))['status'])"
                 % ds["url"].rstrip("/"))
        res = run(["podman", "run", "--rm", "--network", env["STACK_PROJECT"] + "_default", "--entrypoint",
                   "/usr/bin/python3", env["DEMO_IMAGE"], "-c", probe], check_rc=False, timeout=120)
        check(res.returncode == 0 and res.stdout.strip().endswith("success"),
              "the data source URL %s answers inside the stack: %s" % (ds["url"], res.stdout.strip()[-200:]))

        res = run(stack + ["urls"], env=env)
        check(strata + "/" in res.stdout and "(not running)" in res.stdout.split("grafana", 1)[-1],
              "urls lists Strata's address and grafana as not running")
        res = run(stack + ["logs", "strata"], env=env, check_rc=False)
        check("Server is ready to receive web requests." in res.stdout, "logs shows Strata's log")

        before = get_json(strata + "/api/v1/query?query=" + urllib.parse.quote('count_over_time(up{job="strata"}[1h])'))
        n_before = int(float(before["data"]["result"][0]["value"][1])) if before["data"]["result"] else 0
        check(n_before >= 1, "Strata has %d samples of up{job=\"strata\"} before down" % n_before)
        run(stack + ["down"], env=env, timeout=300)
        left = run(["podman", "ps", "-a", "-q", "--filter",
                    "label=com.docker.compose.project=" + env["STACK_PROJECT"]]).stdout.split()
        check(not left, "down removes the containers (%d left)" % len(left))
        vols = run(["podman", "volume", "ls", "-q", "--filter",
                    "label=com.docker.compose.project=" + env["STACK_PROJECT"]]).stdout.split()
        check(any(v.endswith("strata-data") for v in vols), "down keeps the data volumes (%s)" % vols)

        res = run(stack + ["up"] + services, env=env, timeout=600)
        check("building" not in res.stdout, "a second up reuses the images")
        deadline = time.monotonic() + 60
        n_after = 0
        while time.monotonic() < deadline:
            try:
                after = get_json(strata + "/api/v1/query?query=" +
                                 urllib.parse.quote('count_over_time(up{job="strata"}[1h])'))
                if after["data"]["result"]:
                    n_after = int(float(after["data"]["result"][0]["value"][1]))
                    if n_after >= n_before:
                        break
            except OSError:
                pass
            time.sleep(2)
        check(n_after >= n_before, "after down and up Strata still has the earlier samples (%d >= %d)"
              % (n_after, n_before))
    finally:
        chain = image_chain(tags)
        res = run(stack + ["clean"], env=env, timeout=300, check_rc=False)
        print(res.stdout[-2000:], flush=True)
    left = run(["podman", "ps", "-a", "-q", "--filter",
                "label=com.docker.compose.project=" + env["STACK_PROJECT"]]).stdout.split()
    vols = run(["podman", "volume", "ls", "-q", "--filter",
                "label=com.docker.compose.project=" + env["STACK_PROJECT"]]).stdout.split()
    images = [env[n] for n in ("STRATA_IMAGE", "ALERTMANAGER_IMAGE", "NODE_EXPORTER_IMAGE", "DEMO_IMAGE")
              if run(["podman", "image", "exists", env[n]], check_rc=False).returncode == 0]
    check(not left and not vols and not images, "clean removes containers %s, volumes %s, images %s"
          % (left, vols, images))
    # Only this stack's images are checked: other builds may run on the machine.
    left_images = sorted(i for i in chain if run(["podman", "image", "exists", i], check_rc=False).returncode == 0)
    check(not left_images, "clean leaves none of the stack's images or their layers behind (%s of %d)"
          % (left_images, len(chain)))
    for i in left_images:
        run(["podman", "rmi", i], check_rc=False)
    nets = run(["podman", "network", "ls", "-q", "--filter", "name=" + env["STACK_PROJECT"]]).stdout.split()
    check(not nets, "clean removes the stack's network (%s)" % nets)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
    if os.geteuid() != 0:
        print("SKIP: podman runs as root here (the test builds images and containers)")
        return 77
    try:
        compose = check_compose_file(root)
        ds = check_grafana_provisioning(root, compose)
        test_stack(root, ds)
    except Exception:
        import traceback
        failures.append(traceback.format_exc())
        log("FAIL " + failures[-1])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
