#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tests/manpage.py - --help, the man page and the README name the same long options"""
import os, re, subprocess, sys

src = os.environ.get("MC_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
help_text = subprocess.run([sys.argv[1], "--help"], capture_output=True, text=True, check=True).stdout
man = open(os.path.join(src, "docs", "mailcheck.1")).read().replace("\\-", "-")
readme = open(os.path.join(src, "README.md")).read()
opt = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]")
want = set(opt.findall(help_text))
errs = []
for name, text in (("docs/mailcheck.1", man), ("README.md", readme)):
    missing = sorted(want - set(opt.findall(text)))
    if missing:
        errs.append(f"{name} does not document {', '.join(missing)}")
extra = sorted(set(opt.findall(man)) - want)
if extra:
    errs.append(f"docs/mailcheck.1 documents {', '.join(extra)}, which --help does not know")
# every metric a threshold takes is named in the man page
metrics = subprocess.run([sys.argv[1], "--list-metrics"], capture_output=True, text=True, check=True).stdout.split()
man_words = set(re.findall(r"[a-z0-9_]+", man))
undocumented = [m for m in metrics if m not in man_words]
if not metrics or undocumented:
    errs.append(f"docs/mailcheck.1 does not name the metrics {', '.join(undocumented) or '(none listed)'}")
for e in errs:
    print("FAIL", e)
print(f"{len(want)} options in --help" + ("" if errs else ", all documented"))
sys.exit(1 if errs else 0)
