// cxx_thread_local: thread_local objects.  A thread_local pointer of a
// thread that has ended died with it, so what it pointed to is definitely
// lost, though glibc keeps the thread's stack (and its TLS) for reuse; the
// main thread's is still reachable at exit.  thread_local objects with
// destructors free their memory when their thread ends: nothing to report.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "scrub.h"

thread_local std::string tl_name;
thread_local std::vector<int> tl_numbers;
thread_local int *tl_raw;

static __attribute__((noinline)) void work(int i)
{
    tl_name = "a thread's name, long enough for the heap";
    tl_numbers.assign(50, i);
    tl_raw = new int[10];   // @raw
}

int main()
{
    std::thread t1(work, 1), t2(work, 2);
    t1.join();
    t2.join();
    work(0);
    scrub_stack();
    std::printf("done\n");
    return 0;
}
