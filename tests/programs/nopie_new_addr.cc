// nopie_new_addr: a non-PIE C++ program that takes the addresses of the
// global operator new and delete in its code.  The linker gives it
// undefined symbols for them whose values are its PLT entries, which
// dlsym returns: the program replaces neither operator, so a block from
// new that reaches free is a mismatch as in any other program.  Built with
// -no-pie -fno-pie (Makefile).
#include <cstdio>
#include <cstdlib>
#include <new>

void *(*volatile new_fn)(std::size_t);
void (*volatile delete_fn)(void *);

int main()
{
    new_fn = &::operator new;
    delete_fn = &::operator delete;
    int *volatile p = new int(7);   // @new
    std::free(p);                   // @free-new
    std::puts("nopie_new_addr: done");
    return 0;
}
