// noise_cxx: iostream, std::string and exceptions thrown and caught; the
// C++ runtime's own memory (emergency exception pool, locale) is not a leak.
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

static std::string g_name = "a global string long enough to live on the heap";

// Never deleted, reachable only through the pointer new[] returns (8 bytes
// into the block: the element count comes first): still reachable, as
// Valgrind's "newarray" heuristic has it, not possibly lost.
struct Counted {
    int v = 1;
    ~Counted() { v = 0; }
};
Counted *g_array = new Counted[5];

static int parse(const std::string &s)
{
    if (s.empty())
        throw std::invalid_argument("empty string: " + g_name);
    return static_cast<int>(s.size());
}

int main()
{
    std::vector<std::string> words;
    for (int i = 0; i < 100; i++)
        words.push_back(std::string(40, static_cast<char>('a' + i % 26)));
    std::map<std::string, int> counts;
    for (const auto &w : words)
        counts[w]++;
    int caught = 0;
    for (int i = 0; i < 10; i++) {
        try {
            parse(i % 2 ? words[0] : std::string());
        } catch (const std::exception &e) {
            caught += e.what()[0] == 'e';
        }
    }
    std::cout << "distinct " << counts.size() << ", caught " << caught + g_array[4].v - 1
              << std::endl;
    std::cerr << "done" << std::endl;
    return 0;
}
