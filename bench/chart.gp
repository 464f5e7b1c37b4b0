# bench/chart.png from the tables bench/report.py writes:
#   gnuplot -e "dir='DIR'; out='bench/chart.png'" bench/chart.gp
# Log-log, against the number of triples: load rate per system (and the
# LMDB load's rate in CPU time), geometric
# mean of the query mix's warm latency per system, and kgraph's
# single-pattern lookup cost per pattern shape.
set terminal pngcairo size 1650,560 font ",10"
set output out
set datafile missing "NaN"
set key autotitle columnheader
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set xlabel "triples"
set format x "10^{%L}"
set xrange [5e3:2e7]
set key left bottom font ",9"
set multiplot layout 1,3 title "kgraph and its peers on LUBM (8.5k, 100k, 1M from UBA; 10M from bench/lubmgen.c)"

set title "load rate (wall-clock on a shared machine; dashed: CPU time)"
set ylabel "triples/s"
set format y "10^{%L}"
plot for [i=2:7] dir."/load.dat" using 1:i with linespoints lw 2 pt 7 lt (i == 2 ? 8 : i - 2), \
  dir."/load.dat" using 1:8 with linespoints lw 2 pt 6 dt 2 lt 2

set title "query mix: geometric mean of warm medians (20 queries; a timeout as 30 s)"
set ylabel "ms"
set key left top
plot for [i=2:6] dir."/query.dat" using 1:i with linespoints lw 2 pt 7 lt (i - 1)

set title "kgraph in memory: one index lookup (open + first quad)"
set ylabel "ns (CPU)"
set format y "%g"
set yrange [50:2000]
plot for [i=2:8] dir."/lookup.dat" using 1:i with linespoints lw 2 pt 7

unset multiplot
