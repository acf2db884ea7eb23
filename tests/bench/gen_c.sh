#!/bin/sh
# gen_c.sh N > big.c: a large C file for the gcc -O2 workload.
n=${1:-400}
i=0
echo '#include <string.h>'
while [ "$i" -lt "$n" ]; do
    cat <<EOC
struct s$i { int a[8]; double d; char name[32]; };
static int f$i(struct s$i *p, int k) {
    int acc = 0;
    for (int j = 0; j < 8; j++) acc += p->a[j] * (k + j) + (int)p->d;
    if (k > 3) acc ^= (int)strlen(p->name);
    switch (k & 3) { case 0: acc += 1; break; case 1: acc *= 3; break; default: acc -= k; }
    return acc;
}
int g$i(int k) { struct s$i v = { { k, 1, 2, 3, 4, 5, 6, 7 }, 1.5, "x" }; return f$i(&v, k) + f$i(&v, k + 1); }
EOC
    i=$((i + 1))
done
