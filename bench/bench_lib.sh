# Shared helpers of the bench scripts (sourced): figures from a column of
# numbers on stdin, wall-clock stamps, and a command in the script's network
# namespace ($NS, set by the script before calling nsx).
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
p99() { sort -g | awk '{a[NR]=$1} END {i=int(0.99*NR); if (i < 0.99*NR) i++; print a[i]}'; }  # nearest rank
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
nsx() { ip netns exec "$NS" "$@"; }
