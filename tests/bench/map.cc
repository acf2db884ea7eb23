// map - a C++ program's shape: a std::map of 100,000 strings, entries
// replaced and erased at random (two blocks each: the node and the
// string's buffer), then vectors made and dropped in batches.
//   map N
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    long n = argc > 1 ? std::atol(argv[1]) : 2000000;
    std::map<long, std::string> m;
    for (long i = 0; i < n; i++) {
        m[(i * 2654435761u) % 100000] = std::string(20 + i % 50, 'x');
        if (i % 3 == 0)
            m.erase((i * 7) % 100000);
    }
    std::vector<std::unique_ptr<std::vector<int>>> vv;
    for (long i = 0; i < n / 4; i++) {
        vv.emplace_back(new std::vector<int>(i % 20));
        if (vv.size() > 1000)
            vv.clear();
    }
    long s = 0;
    for (const auto &kv : m)
        s += (long)kv.second.size();
    std::printf("map: %zu entries, %ld bytes\n", m.size(), s);
    return 0;
}
