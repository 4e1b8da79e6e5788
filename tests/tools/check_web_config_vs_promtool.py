#!/usr/bin/python3
"""stratatool check web-config against promtool 2.42's check web-config.

A table of web config files (certificates from the openssl CLI in a
temporary directory): both tools must agree on SUCCESS or FAILED for each,
except where Strata is stricter on purpose (listed in STRICTER). Usage:
check_web_config_vs_promtool.py STRATATOOL
"""
import os
import shutil
import subprocess
import sys
import tempfile

PROMTOOL = "/usr/bin/promtool"
HASH = "$2y$04$iz1Qozwj6cR.VO/z2IyBau7Rv1GGAG2bZhBUcG5D178RYWBO0HNjm"
TLS = "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"

CASES = {
    "empty": "",
    "users": f"basic_auth_users:\n  alice: '{HASH}'\n",
    "users_2a": "basic_auth_users:\n  alice: '" + HASH.replace("$2y$", "$2a$") + "'\n",
    "plain_password": "basic_auth_users:\n  alice: secret\n",
    "unknown_key": "tls_config: {}\n",
    "unknown_tls_key": TLS + "  ca_file: ca.pem\n",
    "bad_version": TLS + "  min_version: TLS14\n",
    "bad_header": "http_server_config:\n  headers:\n    Server: x\n",
    "bad_header_value": "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
    "good_headers": "http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n"
                    "    X-Content-Type-Options: nosniff\n",
    "upper_case_header_value": "http_server_config:\n  headers:\n    X-Frame-Options: SAMEORIGIN\n",
    "tls": TLS,
    "missing_key_file": "tls_server_config:\n  cert_file: server.pem\n  key_file: nope.key\n",
    "only_key": "tls_server_config:\n  key_file: server.key\n",
    "only_cert": "tls_server_config:\n  cert_file: server.pem\n",
    "ca_without_policy": TLS + "  client_ca_file: ca.pem\n",
    "mtls": TLS + "  client_ca_file: ca.pem\n  client_auth_type: RequireAndVerifyClientCert\n",
    "verify_without_ca": TLS + "  client_auth_type: RequireAndVerifyClientCert\n",
    "ciphers_curves": TLS + "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                      "  curve_preferences: [CurveP256, X25519]\n",
    "bad_cipher": TLS + "  cipher_suites: [FOO]\n",
    "bad_curve": TLS + "  curve_preferences: [P256]\n",
    "bad_client_auth": TLS + "  client_auth_type: Maybe\n",
    "versions_reversed": TLS + "  min_version: TLS13\n  max_version: TLS12\n",
    "http2": "http_server_config:\n  http2: false\n",
    "empty_tls": "tls_server_config: {}\n",
    "key_mismatch": "tls_server_config:\n  cert_file: server.pem\n  key_file: ca.key\n",
    "not_yaml": "basic_auth_users: [\n",
}

# Accepted by promtool, refused by Strata: a server with these never
# completes a handshake.
STRICTER = {"versions_reversed"}


def verdict(cmd, path, cwd):
    out = subprocess.run(cmd + [path], cwd=cwd, capture_output=True, text=True, timeout=30)
    text = out.stdout + out.stderr
    ok = out.returncode == 0
    if ok != (" SUCCESS" in text):
        raise SystemExit(f"{cmd[0]}: exit code {out.returncode} disagrees with output: {text}")
    return ok, text.strip()


def main():
    stratatool = sys.argv[1]
    if not os.access(PROMTOOL, os.X_OK):
        print("SKIP: no promtool")
        return 0
    d = tempfile.mkdtemp(prefix="web_config_promtool_")
    try:
        key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        script = (f"openssl req -x509 {key} -keyout ca.key -out ca.pem -days 2 -subj /CN=ca && "
                  f"openssl req -x509 {key} -keyout server.key -out server.pem -days 2 -subj /CN=localhost")
        subprocess.run(["sh", "-c", script], cwd=d, check=True, capture_output=True)
        failures = []
        for name, text in CASES.items():
            path = name + ".yml"
            with open(os.path.join(d, path), "w") as f:
                f.write(text)
            p_ok, p_text = verdict([PROMTOOL, "check", "web-config"], path, d)
            s_ok, s_text = verdict([stratatool, "check", "web-config"], path, d)
            want = False if name in STRICTER else p_ok
            status = "ok" if s_ok == want else "MISMATCH"
            print(f"{status:8} {name}: promtool {p_text!r} / stratatool {s_text!r}")
            if s_ok != want:
                failures.append(name)
            if name in STRICTER and not p_ok:
                failures.append(name + " (promtool refuses it now: drop it from STRICTER)")
        if failures:
            print("FAILED:", ", ".join(failures))
            return 1
        print(f"all {len(CASES)} cases agree")
        return 0
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
