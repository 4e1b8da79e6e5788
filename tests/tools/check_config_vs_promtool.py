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
<tag> `<value>` into <type>". STRATA_TEST_SEED repeats a run.

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
}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


FIELDS = {
    "uint": "scrape_configs:\n- job_name: x\n  sample_limit: %s\n",
    "int": "remote_write:\n- url: http://127.0.0.1:1/w\n  queue_config:\n    capacity: %s\n",
    "bool": "scrape_configs:\n- job_name: x\n  honor_labels: %s\n",
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


def main():
    stratatool = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="strata-check-config-") as d:
        os.chdir(d)
        for name, text in CONFIGS.items():
            with open(name, "w") as f:
                f.write(text)
        cases = [[n] for n in CONFIGS] + [["good.yml", "unknown_field.yml"], ["missing.yml"]]
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
