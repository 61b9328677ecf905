#!/bin/sh
# tests/findings_doc.sh - docs/findings.md lists exactly the codes of findings.def
exec "${MC_SOURCE_DIR:-$(dirname "$0")/..}/scripts/gen-findings-doc" --check
