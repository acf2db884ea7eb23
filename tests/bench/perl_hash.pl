# hash-heavy perl workload for scripts/bench
my %h;
for my $i (1 .. 400000) { $h{"key$i"} = [$i, "v" x ($i % 16)]; }
my $n = 0;
for my $k (keys %h) { $n += length($h{$k}[1]); }
delete $h{"key$_"} for 1 .. 200000;
print scalar(keys %h), " $n\n";
