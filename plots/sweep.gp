# sweep.gp - a parameter sweep (`sim FILE --sweep KEY=LO..HI:STEP --tsv DIR`,
# or --plot DIR): what goes wrong -- overrun, corrupt, consumer_partial,
# lost -- and what is counted instead -- drops -- against the swept value,
# one line per fix variant (one block of DIR/sweep.tsv each, whose header's
# first cell says "fix=F KEY (UNIT)").
#     gnuplot -c plots/sweep.gp DIR/sweep.tsv OUT.png

if (ARGC < 2) { print "usage: gnuplot -c sweep.gp SWEEP.tsv OUT.png"; exit status 2 }
F = ARG1
set terminal pngcairo size 1400, 800 font "DejaVu Sans,11" noenhanced linewidth 1.2
set output ARG2
set datafile separator "\t"
stats F using 1 nooutput
nblocks = STATS_blocks
# the metrics: columns 2.. of sweep.tsv, in docs/metrics.md's order
names = "overrun corrupt consumer_partial lost drops"
cols = "2 3 4 5 6"
set multiplot layout 2, 3 title "sim --sweep: metrics against the swept parameter"
set key top left
set grid
set xlabel "the swept value (see each line's title)"
do for [k = 1:words(names)] {
  set title word(names, k)
  plot for [b = 0:nblocks - 1] F index b using 1:int(word(cols, k)) \
       with linespoints pointtype 7 pointsize 0.6 title columnheader(1)
}
unset multiplot
