#!/usr/bin/env python3
"""Every crate the project builds (dependencies of every kind, from Cargo.lock, offline) must be
usable under a license of the allowlist: the SPDX expression in its `license` field must be
satisfiable with allowed licenses (OR: one alternative, AND: all parts). A crate without one
fails. Run by scripts/deps-check.sh (and so by `make test`)."""
import json
import re
import subprocess
import sys

ALLOWED = {
    "MIT", "MIT-0", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause",
    "BSD-3-Clause", "ISC", "Unicode-3.0", "Zlib", "CC0-1.0", "Unlicense", "BSL-1.0",
}


def satisfiable(expr):
    """A small SPDX evaluator: parentheses, OR (lowest), AND, `WITH` kept with its license."""
    tokens = re.findall(r"\(|\)|[^\s()]+(?:\s+WITH\s+[^\s()]+)?", expr.replace("/", " OR "))
    pos = 0

    def parse_or():
        nonlocal pos
        value = parse_and()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = parse_and() or value
        return value

    def parse_and():
        nonlocal pos
        value = parse_atom()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            value = parse_atom() and value
        return value

    def parse_atom():
        nonlocal pos
        token = tokens[pos]
        pos += 1
        if token == "(":
            value = parse_or()
            pos += 1  # ")"
            return value
        return re.sub(r"\s+", " ", token) in ALLOWED

    result = parse_or()
    return result and pos == len(tokens)


def main():
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--offline", "--locked"],
        check=True, capture_output=True, text=True).stdout)
    refused = []
    for package in meta["packages"]:
        license = package.get("license")
        if not license or not satisfiable(license):
            refused.append(f"{package['name']} {package['version']}: {license or 'no license field'}")
    if refused:
        print("licenses: not usable under the allowlist (" + ", ".join(sorted(ALLOWED)) + "):", file=sys.stderr)
        print("\n".join(refused), file=sys.stderr)
        sys.exit(1)
    print(f"licenses: all {len(meta['packages'])} crates usable under the allowlist", file=sys.stderr)


if __name__ == "__main__":
    main()
