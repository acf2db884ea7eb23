# dict/json-heavy Python workload for scripts/bench
import json
d = {}
for i in range(300000):
    d["k%d" % i] = {"v": i, "s": str(i) * 3, "l": [i, i + 1]}
s = json.dumps(d)
e = json.loads(s)
print(len(e), len(s))
