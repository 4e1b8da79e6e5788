#!/usr/bin/python3
"""`stratatool check config` against `promtool check config` (Prometheus
2.42, Debian): the same exit code and the same stdout (Checking / SUCCESS
lines) for valid and invalid files; the FAILED message on stderr is the
server's own loader message (checked by the server's config tests).

Then generated scalars for a uint (sample_limit), an int (queue_config
capacity) and a bool (honor_labels) field: numbers in every spelling Go's
yaml.v2 knows (signs, 0x/0o/0b, leading zeros, '_', floats, exponents, out of
range), quoted and tagged ones, timestamps and words. Both must accept or
reject alike, and a rejection must name the same "line N: cannot unmarshal
<tag> `<value>` into <type>".

Last, generated structural errors: one key or list item of a full
configuration (with a file_sd file and a rule file, which both tools then
check) replaced by a scalar, a sequence or a mapping. Exit code and stdout
must be the same, and a type error ("cannot unmarshal ... into <Go type>",
"field x not found in type <Go type>") must read the same.
STRATA_TEST_SEED repeats a run.

usage: check_config_vs_promtool.py <stratatool>
"""
import os
import random
import re
import subprocess
import sys
import tempfile

from yaml_scalars import scalar

CONFIGS = {
    "good.yml": "global:\n  scrape_interval: 15s\nscrape_configs:\n- job_name: a\n  static_configs:\n  - targets: ['127.0.0.1:9100']\n",
    "unknown_field.yml": "global:\n  foo: 1\n",
    "bad_duration.yml": "global:\n  scrape_interval: 15x\n",
    "timeout_over_interval.yml": "scrape_configs:\n- job_name: a\n  scrape_interval: 5s\n  scrape_timeout: 10s\n",
    "duplicate_job.yml": "scrape_configs:\n- job_name: a\n- job_name: a\n",
    "not_yaml.yml": "scrape_configs: [\n",
    # What promtool checks past the syntax: rule files (named ones must
    # exist, each is then checked as `check rules` does), file_sd files.
    "rule_files.yml": "rule_files: [rules_ok.yml, 'none*.yml', rules_dup.yml]\n",
    "rule_missing.yml": "rule_files: [missing.yml]\n",
    "rule_bad_glob.yml": "rule_files: ['a/[b.yml']\n",
    "rule_broken.yml": "rule_files: [rules_broken.yml]\n",
    # Each directory part of a glob is checked again (a '/' inside a class
    # or after a backslash is a syntax error), and matches are cleaned.
    "rule_glob_parts.yml": "rule_files: ['rules_o[k/x]*.yml']\n",
    "rule_glob_escape.yml": "rule_files: ['sub\\/*.yml']\n",
    "rule_glob_clean.yml": "rule_files: ['./sub//../rules_o?.yml']\n",
    # file_sd matching a directory: reading it fails as Go's ReadFile does.
    "sd_dir.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: ['sdd*.yml']\n",
    "sd_missing.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [missing.json, 'none*.yml']\n"
                      "alerting:\n  alertmanagers:\n  - file_sd_configs:\n    - files: [missing.yml]\n",
    "sd_good.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [sd_good.json]\n",
    "sd_bad.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [sd_bad.json]\n",
    # Targets from a file_sd file that relabeling leaves without an address,
    # or with a bad interval: promtool builds every target, so does Strata.
    "sd_no_address.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [sd_two.json]\n"
                         "  relabel_configs:\n  - source_labels: [__address__]\n    regex: 'b:2'\n"
                         "    target_label: __address__\n    replacement: ''\n",
    "sd_bad_interval.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [sd_two.json]\n"
                           "  relabel_configs:\n  - target_label: __scrape_interval__\n    replacement: x\n",
    "sd_url_target.yml": "scrape_configs:\n- job_name: a\n  file_sd_configs:\n  - files: [sd_url.json]\n",
    # A scrape job's credentials and client certificate files must exist.
    "creds_missing.yml": "scrape_configs:\n- job_name: a\n  bearer_token_file: missing.token\n",
    "tls_missing.yml": "scrape_configs:\n- job_name: a\n  tls_config:\n    cert_file: sd_two.json\n"
                       "    key_file: missing.key\n",
}
# Files the configurations above point to.
AUX = {
    "rules_ok.yml": "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up\n",
    "rules_dup.yml": "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up\n  - record: a\n    expr: up\n",
    "rules_broken.yml": "groups:\n- name: g\n  rules:\n  - record: a\n    expr: up(\n",
    "sd_good.json": '[{"targets": ["127.0.0.1:9100"], "labels": {"a": "b"}}]\n',
    "sd_bad.json": '[{"targets": ["127.0.0.1:9100"], "labels": {"a b": 1}}]\n',
    "sd_two.json": '[{"targets": ["a:1", "b:2"]}]\n',
    "sd_url.json": '[{"targets": ["http://a:1"]}]\n',
}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


FIELDS = {
    "uint": "scrape_configs:\n- job_name: x\n  sample_limit: %s\n",
    "int": "remote_write:\n- url: http://127.0.0.1:1/w\n  queue_config:\n    capacity: %s\n",
    "bool": "scrape_configs:\n- job_name: x\n  honor_labels: %s\n",
    "string": "scrape_configs:\n- job_name: %s\n",
}
GENERATED = 160


def unmarshal_error(stderr):
    m = re.search(r"line \d+: cannot unmarshal .*", stderr)
    return m.group(0).strip() if m else None


def generated(stratatool, seed):
    rng = random.Random(seed)
    failures = 0
    for n in range(GENERATED):
        field = rng.choice(list(FIELDS))
        value = scalar(rng)
        with open("gen.yml", "w") as f:
            f.write(FIELDS[field] % value)
        p = run(["/usr/bin/promtool", "check", "config", "gen.yml"])
        s = run([stratatool, "check", "config", "gen.yml"])
        same = p[0] == s[0] and unmarshal_error(p[2]) == unmarshal_error(s[2])
        if not same:
            failures += 1
            print("FAIL %s %r: promtool %d %r, stratatool %d %r" % (field, value, p[0], p[2].strip(), s[0], s[2].strip()))
    print("generated (seed %d): %d of %d agree" % (seed, GENERATED - failures, GENERATED))
    return failures


TEMPLATE = """global:
  scrape_interval: 15s
  external_labels:
    a: b
scrape_configs:
- job_name: x
  honor_labels: true
  params:
    a: [b]
  sample_limit: 5
  body_size_limit: 1MB
  basic_auth:
    username: u
    password: p
  tls_config:
    insecure_skip_verify: true
  static_configs:
  - targets: ['127.0.0.1:9100']
    labels:
      a: b
  relabel_configs:
  - source_labels: [a]
    target_label: b
  file_sd_configs:
  - files: [a.json]
  dns_sd_configs:
  - names: [a]
    type: SRV
- job_name: y
  oauth2:
    client_id: a
    client_secret: s
    token_url: http://127.0.0.1:1/t
  http_sd_configs:
  - url: http://127.0.0.1:1/sd
remote_write:
- url: http://127.0.0.1:1/w
  headers:
    X-A: b
  queue_config:
    capacity: 5
  metadata_config:
    send: true
  write_relabel_configs:
  - action: drop
    source_labels: [a]
alerting:
  alert_relabel_configs:
  - action: drop
    source_labels: [a]
  alertmanagers:
  - static_configs:
    - targets: ['127.0.0.1:9093']
rule_files: [a.yml]
"""
STRUCTURAL = 120
NODES = ["5", "x", "-1", "1.5", "true", "'5'", "[a]", "[[a]]", "{a: 1}", "{a: [b]}", "!!binary AQ==", "{zz: 1}"]


def mutate_structure(rng):
    """TEMPLATE with one key's value, or one list item, replaced (with its
    block) by a random node."""
    lines = TEMPLATE.splitlines()
    # Not mutated, where Strata differs from Prometheus 2.42 on purpose:
    # target_label (Prometheus 3 takes any UTF-8 label name) and url
    # (Strata refuses a URL it cannot send to when loading, not sending).
    candidates = [k for k, l in enumerate(lines) if l.strip(" -").split(":")[0] not in ("target_label", "url")]
    i = rng.choice(candidates)
    line = lines[i]
    ind = len(line) - len(line.lstrip(" "))
    body = line[ind:]
    item = body.startswith("- ") and rng.random() < 0.4
    col = ind if item else ind + (2 if body.startswith("- ") else 0)
    j = i + 1
    while j < len(lines):
        k = len(lines[j]) - len(lines[j].lstrip(" "))
        if k > col or (not item and k == col and lines[j].lstrip(" ").startswith("- ")):
            j += 1
        else:
            break
    node = rng.choice(NODES)
    if item:
        new = " " * ind + "- " + node
    else:
        key = body.split(":", 1)[0]
        new = line[:line.index(key) + len(key)] + ": " + node
    return "\n".join(lines[:i] + [new] + lines[j:]) + "\n"


def type_error(stderr):
    """The message of a type error, as both tools print it once yaml.v2's
    'yaml: unmarshal errors:' heading (which Strata leaves out) is dropped."""
    text = " ".join(stderr.replace("yaml: unmarshal errors:", "").split())
    if "cannot unmarshal" in text or "not found in type" in text:
        return text
    return None


def structural(stratatool, seed):
    rng = random.Random(seed)
    with open("a.json", "w") as f:
        f.write("[]\n")
    open("a.yml", "w").close()
    failures = 0
    for n in range(STRUCTURAL):
        text = mutate_structure(rng) if n else TEMPLATE
        with open("gen.yml", "w") as f:
            f.write(text)
        p = run(["/usr/bin/promtool", "check", "config", "gen.yml"])
        s = run([stratatool, "check", "config", "gen.yml"])
        same = p[0] == s[0] and p[1] == s[1] and type_error(p[2]) == type_error(s[2])
        if not same:
            failures += 1
            changed = [l for l in text.splitlines() if l not in TEMPLATE.splitlines()]
            print("FAIL structural: %r\n--- promtool %d\n%s--- stratatool %d\n%s" % (changed, p[0], p[2], s[0], s[2]))
    print("structural (seed %d): %d of %d agree" % (seed, STRUCTURAL - failures, STRUCTURAL))
    return failures


def main():
    stratatool = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="strata-check-config-") as d:
        os.chdir(d)
        os.makedirs("sub")
        os.makedirs("sdd.yml")
        for name, text in list(CONFIGS.items()) + list(AUX.items()):
            with open(name, "w") as f:
                f.write(text)
        cases = [[n] for n in CONFIGS] + [["good.yml", "unknown_field.yml"], ["missing.yml"],
                                          ["--syntax-only", "rule_missing.yml"], ["--syntax-only", "tls_missing.yml"], ["--lint-fatal", "rule_files.yml"],
                                          ["--lint=none", "rule_files.yml"]]
        for files in cases:
            p = run(["/usr/bin/promtool", "check", "config"] + files)
            s = run([stratatool, "check", "config"] + files)
            same = p[0] == s[0] and p[1] == s[1]
            print("%s %s: promtool %d, stratatool %d" % ("ok  " if same else "FAIL", " ".join(files), p[0], s[0]))
            if not same:
                failures += 1
                print("--- promtool\n%s%s--- stratatool\n%s%s" % (p[1], p[2], s[1], s[2]))
        print("%d of %d cases agree" % (len(cases) - failures, len(cases)))
        seed = int(os.environ.get("STRATA_TEST_SEED", random.randrange(1 << 30)))
        failures += generated(stratatool, seed)
        failures += structural(stratatool, seed)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
