#!/bin/sh
# Regenerate docs/article-graph.svg from the article graph itself: a
# CONSTRUCT query, kgraph's DOT export, Graphviz's dot.
#   docs/article-graph.sh [KGRAPH]     (default: build/kgraph)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kgraph=${1:-$here/../build/kgraph}
"$kgraph" query --format dot -q "$here/article-graph.rq" |
  dot -Tsvg -Grankdir=LR -Nfontsize=10 -Efontsize=8 > "$here/article-graph.svg"
