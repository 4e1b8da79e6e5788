"""The report both PromQL campaign scripts end with: a summary line, then each
group of failures (largest first) with its reproducer; printed, optionally
written to a file. Returns the exit code: 1 when any group was found."""


def finish(summary, groups, describe, report_path=""):
    """`groups` maps a signature to [count, ...]; describe(sig, entry) -> text."""
    lines = [summary]
    for sig, entry in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        lines.append("\n[%dx] %s\n%s" % (entry[0], sig, describe(sig, entry)))
    text = "\n".join(lines) + "\n"
    print(text)
    if report_path:
        with open(report_path, "w") as f:
            f.write(text)
    return 1 if groups else 0
