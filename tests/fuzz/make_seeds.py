#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz that are made rather than copied:

  promql/seeds          queries of tests/promql/parser/testdata (a sample of
                        them, each with a dialect byte; promql/make_seeds.py
                        writes all of them for a long campaign)
  remote_write/seeds_v2 remote-write 2.0 requests (protobuf, hand-encoded)
  remote_read/seeds     requests, a SAMPLES response, STREAMED_XOR_CHUNKS frames
  snappy/seeds          Snappy blocks: literals, copies of each tag width
  file_sd/seeds         file_sd files, JSON and YAML
  config/seeds          prometheus.yml: the shipped configs and a full example
  wal/seeds             WAL segments of every record type (tsdb/docs/format/wal.md)
  block_index/seeds     the golden block's index (tests/tsdb/block/testdata)
  block_chunks/seeds    the golden block's chunk segment

Deterministic: running it again rewrites the same bytes. Every seed starts
with the mode byte its harness reads, where it has one.

Usage: tests/fuzz/make_seeds.py   (from anywhere; writes next to itself)
"""

import hashlib
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fresh(target):
    shutil.rmtree(os.path.join(HERE, target), ignore_errors=True)


# --- encodings -------------------------------------------------------------

def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return uvarint((n << 1) ^ (n >> 63))


def tag(field, wire):
    return uvarint(field << 3 | wire)


def pb_varint(field, n):
    return tag(field, 0) + uvarint(n & (2**64 - 1))


def pb_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return tag(field, 2) + uvarint(len(b)) + b


def pb_double(field, v):
    return tag(field, 1) + struct.pack("<d", v)


def pb_sint(field, n):
    return tag(field, 0) + zigzag(n)


_CRC_TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _CRC_TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def snappy_literal(data):
    """A valid Snappy block of literals only (any decoder takes it)."""
    out = bytearray(uvarint(len(data)))
    for i in range(0, len(data), 60):
        chunk = data[i:i + 60]
        out.append((len(chunk) - 1) << 2)
        out += chunk
    return bytes(out)


# --- targets ---------------------------------------------------------------

def promql():
    fresh("promql/seeds")
    data = os.path.join(ROOT, "tests/promql/parser/testdata")
    queries = []
    for name in ("format.jsonl", "selectors.jsonl", "errors.jsonl", "v3_differences.jsonl"):
        with open(os.path.join(data, name)) as f:
            queries += [json.loads(line)["query"] for line in f if line.strip()]
    # Every 3rd query keeps the corpus small; the fuzzer recombines them.
    picked = sorted(set(queries))[::3]
    for i, q in enumerate(picked):
        mode = bytes([i % 4])
        write("promql/seeds", "q%03d" % i, mode + q.encode())
    write("promql/seeds", "series_desc", b"\x00" + b'x{a="b"} 0+10x10 _ stale 1 -1-2x3 _x2 Inf')
    write("promql/seeds", "series_desc_hist", b"\x00" + b"h {{schema:1 sum:3 buckets:[1 2]}}x2 1m")


def remote_write_v2():
    fresh("remote_write/seeds_v2")
    symbols = ["", "__name__", "http_requests_total", "job", "api", "instance", "h:9090",
               "Requests served.", "requests", "trace_id", "abc", "rpc_seconds"]
    req = b"".join(pb_bytes(4, s) for s in symbols)
    # A counter with two samples, metadata and an exemplar.
    ts = pb_bytes(1, b"".join(uvarint(r) for r in (1, 2, 3, 4, 5, 6)))
    ts += pb_bytes(2, pb_double(1, 1.5) + pb_varint(2, 1700000000000))
    ts += pb_bytes(2, pb_double(1, 2.5) + pb_varint(2, 1700000015000) + pb_varint(3, 1699999990000))
    ts += pb_bytes(4, pb_bytes(1, uvarint(9) + uvarint(10)) + pb_double(2, 1.0) + pb_varint(3, 1700000000000))
    ts += pb_bytes(5, pb_varint(1, 1) + pb_varint(3, 7) + pb_varint(4, 8))
    req += pb_bytes(5, ts)
    # A native histogram.
    h = pb_varint(1, 5) + pb_double(3, 12.5) + pb_sint(4, 1) + pb_double(5, 0.001) + pb_varint(6, 1)
    h += pb_bytes(11, pb_sint(1, 0) + pb_varint(2, 2)) + pb_bytes(12, zigzag(2) + zigzag(0))
    h += pb_varint(14, 2) + pb_varint(15, 1700000000000)
    ts2 = pb_bytes(1, b"".join(uvarint(r) for r in (1, 11, 3, 4))) + pb_bytes(3, h)
    ts2 += pb_bytes(5, pb_varint(1, 3))
    req += pb_bytes(5, ts2)
    write("remote_write/seeds_v2", "full_snappy", b"\x01" + req)
    write("remote_write/seeds_v2", "full_raw", b"\x00" + snappy_literal(req))
    ct = b"application/x-protobuf;proto=io.prometheus.write.v2.Request\n"
    write("remote_write/seeds_v2", "full_ct", b"\x05" + ct + req)
    write("remote_write/seeds_v2", "empty", b"\x01")


def matcher(t, name, value):
    return pb_varint(1, t) + pb_bytes(2, name) + pb_bytes(3, value)


def remote_read():
    fresh("remote_read/seeds")
    q = pb_varint(1, 0) + pb_varint(2, 200000)
    q += pb_bytes(3, matcher(0, "__name__", "up")) + pb_bytes(3, matcher(2, "instance", "[0-9]+"))
    q += pb_bytes(4, pb_varint(1, 15000) + pb_bytes(2, "rate") + pb_varint(3, 0) + pb_varint(4, 200000))
    q2 = pb_varint(1, 5000) + pb_varint(2, 9000)
    q2 += pb_bytes(3, matcher(3, "job", "x|y")) + pb_bytes(3, matcher(1, "job", ""))
    samples_req = pb_bytes(1, q) + pb_bytes(1, q2)
    write("remote_read/seeds", "req_samples", b"\x01" + samples_req)
    write("remote_read/seeds", "req_streamed", b"\x01" + samples_req + pb_varint(2, 1) + pb_varint(2, 0))
    write("remote_read/seeds", "req_raw", b"\x00" + snappy_literal(samples_req))
    ts = pb_bytes(1, pb_bytes(1, "__name__") + pb_bytes(2, "up"))
    ts += pb_bytes(2, pb_double(1, 1.0) + pb_varint(2, 1000))
    ts += pb_bytes(2, pb_double(1, 0.0) + pb_varint(2, 2000))
    write("remote_read/seeds", "resp_samples", b"\x02" + pb_bytes(1, pb_bytes(1, ts)))
    # One frame: a series with one (short, hand-made) XOR chunk.
    chunk = pb_varint(1, 1000) + pb_varint(2, 2000) + pb_varint(3, 1) + pb_bytes(4, b"\x00\x02\xd0\x0f")
    series = pb_bytes(1, pb_bytes(1, "__name__") + pb_bytes(2, "up")) + pb_bytes(2, chunk)
    msg = pb_bytes(1, series) + pb_varint(2, 1)
    frame = uvarint(len(msg)) + struct.pack(">I", crc32c(msg)) + msg
    write("remote_read/seeds", "frames", b"\x03" + frame + frame)


def snappy():
    fresh("snappy/seeds")
    write("snappy/seeds", "literal", snappy_literal(b"remote write snappy block " * 3))
    write("snappy/seeds", "empty", b"\x00")
    # "abcd" then copies with 1-, 2- and 4-byte offsets.
    body = bytearray(uvarint(4 + 8 + 10 + 12))
    body += bytes([3 << 2]) + b"abcd"
    body += bytes([0x01 | (8 - 4) << 2, 4])              # copy-1: len 8, offset 4
    body += bytes([0x02 | (10 - 1) << 2]) + struct.pack("<H", 12)   # copy-2
    body += bytes([0x03 | (12 - 1) << 2]) + struct.pack("<I", 22)   # copy-4
    write("snappy/seeds", "copies", bytes(body))
    with open(os.path.join(HERE, "remote_write/seeds/full_raw"), "rb") as f:
        write("snappy/seeds", "write_request", f.read()[1:])


def file_sd():
    fresh("file_sd/seeds")
    groups = [
        {"targets": ["node1:9100", "node2:9100"], "labels": {"env": "prod", "__meta_x": "y"}},
        {"targets": ["[::1]:9090"]},
        {"targets": [], "labels": {"job": "empty"}},
    ]
    write("file_sd/seeds", "groups.json", b"\x00" + json.dumps(groups, indent=1).encode())
    write("file_sd/seeds", "null.json", b"\x00null")
    yml = ("- targets: ['node1:9100', \"node2:9100\"]\n"
           "  labels:\n    env: prod\n    team: \"a b\"\n"
           "- targets:\n  - localhost:9090\n"
           "- labels: {x: y}\n  targets: [a:1]\n")
    write("file_sd/seeds", "groups.yml", b"\x01" + yml.encode())


FULL_CONFIG = """\
global:
  scrape_interval: 30s
  scrape_timeout: 10s
  evaluation_interval: 10s
  external_labels:
    cluster: eu-1
    replica: "1"
rule_files: ["rules/*.yml"]
alerting:
  alert_relabel_configs:
    - action: labeldrop
      regex: replica
  alertmanagers:
    - scheme: http
      timeout: 5s
      api_version: v2
      static_configs:
        - targets: ["alertmanager:9093"]
scrape_configs:
  - job_name: node
    scrape_interval: 5s
    honor_labels: true
    sample_limit: 1000
    static_configs:
      - targets: ["node1:9100", "node2:9100"]
        labels: {env: prod}
    relabel_configs:
      - source_labels: [__address__]
        regex: "(.*):9100"
        target_label: host
        replacement: "$1"
      - action: hashmod
        source_labels: [__address__]
        modulus: 4
        target_label: shard
      - action: keep
        source_labels: [shard]
        regex: "0|1"
  - job_name: api
    metrics_path: /internal/metrics
    scheme: https
    params:
      module: [http_2xx]
    basic_auth:
      username: scraper
      password: hunter2
    tls_config:
      insecure_skip_verify: true
      server_name: api.local
    file_sd_configs:
      - files: ["targets/*.json", "more/*.yml"]
        refresh_interval: 1m
    http_sd_configs:
      - url: http://sd.local/targets
        refresh_interval: 30s
    dns_sd_configs:
      - names: [_prometheus._tcp.example.org]
        type: SRV
    metric_relabel_configs:
      - regex: "go_.*"
        action: labeldrop
      - source_labels: [__name__]
        regex: "(.+)_total"
        action: replace
        target_label: counter
remote_write:
  - url: http://mimir:9009/api/v1/push
    name: mimir
    remote_timeout: 30s
    headers:
      X-Scope-OrgID: tenant-1
    write_relabel_configs:
      - source_labels: [__name__]
        regex: "expensive_.*"
        action: drop
    queue_config:
      capacity: 2500
      max_shards: 10
      max_samples_per_send: 2000
      batch_send_deadline: 5s
    metadata_config:
      send: true
otlp:
  promote_resource_attributes: [service.name, k8s.pod.name]
  translation_strategy: UnderscoreEscapingWithSuffixes
"""


def config():
    fresh("config/seeds")
    for name in ("deploy/systemd/strata.yml", "deploy/compose/strata.yml",
                 "deploy/container/strata.yml"):
        with open(os.path.join(ROOT, name), "rb") as f:
            write("config/seeds", name.replace("/", "_"), f.read())
    write("config/seeds", "full.yml", FULL_CONFIG)
    write("config/seeds", "empty.yml", "")


def wal_record(rtype, payload):
    return (bytes([rtype]) + struct.pack("<I", len(payload)) +
            struct.pack("<I", crc32c(bytes([rtype]) + payload)) + payload)


def lenstr(s):
    s = s.encode()
    return uvarint(len(s)) + s


def wal_series(entries):
    out = uvarint(len(entries))
    for ref, labels in entries:
        out += uvarint(ref) + uvarint(len(labels))
        for k, v in sorted(labels.items()):
            out += lenstr(k) + lenstr(v)
    return wal_record(1, out)


def wal_samples(samples):
    out = uvarint(len(samples))
    pref, pt = 0, 0
    for ref, t, v in samples:
        out += zigzag(ref - pref) + zigzag(t - pt) + struct.pack("<d", v)
        pref, pt = ref, t
    return wal_record(2, out)


def wal():
    fresh("wal/seeds")
    seg = wal_series([(1, {"__name__": "up", "job": "api"}),
                      (2, {"__name__": "http_requests_total", "job": "api", "code": "200"})])
    seg += wal_samples([(1, 1000, 1.0), (2, 1000, 10.0), (1, 16000, 0.0), (2, 16000, 12.5)])
    seg += wal_record(3, uvarint(1) + uvarint(2) + zigzag(0) + zigzag(1500))
    seg += wal_record(4, uvarint(1) + lenstr("http_requests_total") + lenstr("counter") +
                      lenstr("Requests served.") + lenstr(""))
    seg += wal_series([(3, {"__name__": "up", "job": "db"})])
    # A stale marker (Prometheus' NaN bit pattern) and an out-of-order sample.
    stale = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]
    seg += wal_samples([(3, 2000, 1.0), (3, 31000, stale), (1, 500, 3.0)])
    write("wal/seeds", "segment", b"\x00" + seg)
    write("wal/seeds", "segment_fixcrc", b"\x01" + seg)
    write("wal/seeds", "checkpoint", b"\x02" + seg)
    write("wal/seeds", "torn", b"\x00" + seg[:-5])


def hex_file(path):
    with open(os.path.join(ROOT, path)) as f:
        return bytes.fromhex(f.read())


def blocks():
    fresh("block_index/seeds")
    fresh("block_chunks/seeds")
    index = hex_file("tests/tsdb/block/testdata/golden_block/index.hex")
    write("block_index/seeds", "golden", b"\x00" + index)
    write("block_index/seeds", "golden_fixcrc", b"\x01" + index)
    chunks = hex_file("tests/tsdb/block/testdata/golden_block/chunks_000001.hex")
    write("block_chunks/seeds", "golden", b"\x00" + chunks)
    write("block_chunks/seeds", "golden_fixcrc", b"\x01" + chunks)
    # A page holding the golden compact chunk of tests/tsdb/block/testdata.
    cc = hex_file("tests/tsdb/block/testdata/compact_chunk.hex")
    raw = uvarint(len(cc)) + b"\x02" + cc
    hdr = b"\x00" + struct.pack("<II", len(raw), len(raw))
    page = hdr + raw + struct.pack("<I", crc32c(hdr + raw))
    write("block_chunks/seeds", "compact_page", b"\x00" + b"STCK\x01\x00\x00\x00" + page)


def main():
    promql()
    remote_write_v2()
    remote_read()
    snappy()
    file_sd()
    config()
    wal()
    blocks()
    total = 0
    for d, _, files in os.walk(HERE):
        if "seeds" in d:
            total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    print("seed bytes under tests/fuzz:", total)


if __name__ == "__main__":
    main()
