"""Generated YAML scalars for the differential tests against promtool:
numbers in every spelling Go's yaml.v2 and yaml.v3 resolve (signs, 0x/0o/0b,
leading zeros, '_', floats, exponents, out of range), quoted and explicitly
tagged ones, timestamps, booleans and other words."""


def scalar(rng):
    """One YAML scalar: mostly number-like, some words, dates and quoting."""
    kind = rng.random()
    if kind < 0.1:
        return rng.choice(["true", "False", "yes", "On", "n", "~", "null", ".inf", "-.Inf", ".nan",
                           "[1]", "{a: 1}", "x1", "_1", "-", "+", "."])
    if kind < 0.18:
        y, m, d = rng.choice(["2001", "1999", "20011"]), rng.randint(0, 13), rng.randint(0, 32)
        t = rng.choice(["", "T01:02:03Z", " 1:2:3.5", "t01:02:03+01:00", "T01:02:03", " 24:00:00"])
        return "%s-%d-%d%s" % (y, m, d, t)
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 1, 2, 3, 5, 19, 20, 25])))
    prefix = rng.choice(["", "", "", "0x", "0o", "0b", "0"])
    if prefix in ("0x",):
        digits = "".join(rng.choice("0123456789abcdefABCDEFg") for _ in range(rng.randint(1, 17)))
    elif prefix == "0b":
        digits = "".join(rng.choice("012") for _ in range(rng.randint(1, 8)))
    text = rng.choice(["", "", "-", "+"]) + prefix + digits
    if rng.random() < 0.15:
        i = rng.randint(1, len(text))
        text = text[:i] + "_" + text[i:]
    if not prefix and rng.random() < 0.3:
        text += "." + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 3)))
    if not prefix and rng.random() < 0.2:
        text += rng.choice(["e", "E"]) + rng.choice(["", "+", "-"]) + str(rng.choice([0, 3, 18, 19, 20, 400]))
    r = rng.random()
    if r < 0.05:
        return "'%s'" % text
    if r < 0.1:
        return rng.choice(["!!int ", "!!float ", "!!str "]) + text
    return text
