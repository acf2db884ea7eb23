// demo_vector: C++, a std::vector made with new and never deleted.  The
// vector object is definitely lost; its buffer, which the standard library
// allocated, is indirectly lost.  Both reports point into this file: the
// buffer's at the push_back that grew it, not at a library header.
#include <cstdio>
#include <vector>

static std::vector<int> *squares(int n)
{
    auto *v = new std::vector<int>;   // @vector
    for (int i = 1; i <= n; i++)
        v->push_back(i * i);          // @push
    return v;
}

int main()
{
    std::vector<int> *v = squares(5);
    std::printf("last = %d\n", v->back());
    return 0;                         // no delete v: the vector and its buffer leak
}
