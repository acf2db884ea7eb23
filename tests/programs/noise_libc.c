/* noise_libc: libc functions that allocate behind the scenes, one per
 * argument, used correctly; none may leave anything lost. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <locale.h>
#include <netdb.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* build/programs/libreach_dyn.so, next to this program. */
static void *open_dyn(void)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n <= 0) return NULL;
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "libreach_dyn.so");
    return dlopen(path, RTLD_NOW);
}

static int cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int run(const char *what)
{
    if (!strcmp(what, "getaddrinfo")) {
        struct addrinfo *ai = NULL, hints = { .ai_socktype = SOCK_STREAM };
        if (getaddrinfo("localhost", "80", &hints, &ai)) return 1;
        freeaddrinfo(ai);
    } else if (!strcmp(what, "localtime")) {
        time_t t = 1700000000;
        char buf[64];
        strftime(buf, sizeof buf, "%c %Z", localtime(&t));
    } else if (!strcmp(what, "setlocale")) {
        setlocale(LC_ALL, "");
        setlocale(LC_ALL, "C.UTF-8");
        setlocale(LC_ALL, "C");
    } else if (!strcmp(what, "qsort")) {
        int *v = malloc(100000 * sizeof *v);   /* big: qsort mallocs scratch */
        for (int i = 0; i < 100000; i++) v[i] = (i * 7919) % 100003;
        qsort(v, 100000, sizeof *v, cmp);
        free(v);
    } else if (!strcmp(what, "fopen")) {
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {}
        if (f) fclose(f);
        DIR *d = opendir("/");
        while (d && readdir(d)) {}
        if (d) closedir(d);
    } else if (!strcmp(what, "fopen_left_open")) {
        /* never closed, as many programs leave their streams for exit():
         * stdio's list of streams still holds them, and their buffers */
        char line[256];
        for (int i = 0; i < 2; i++) {
            FILE *f = fopen("/proc/self/status", "r");
            if (!f || !fgets(line, sizeof line, f)) return 1;
        }
    } else if (!strcmp(what, "popen")) {
        FILE *p = popen("echo hi", "r");
        char line[16];
        while (p && fgets(line, sizeof line, p)) {}
        if (!p || pclose(p) != 0) return 1;
    } else if (!strcmp(what, "regex")) {
        regex_t re;
        if (regcomp(&re, "^([a-z]+)-([0-9]+)$", REG_EXTENDED)) return 1;
        regmatch_t m[3];
        int r = regexec(&re, "abc-123", 3, m, 0);
        regfree(&re);
        if (r) return 1;
    } else if (!strcmp(what, "dlopen")) {
        void *h = open_dyn();
        if (!h) return 1;
        int (*answer)(void) = (int (*)(void))dlsym(h, "reach_dyn_answer");
        int a = answer ? answer() : 0;
        dlclose(h);
        if (a != 42) return 1;
    } else if (!strcmp(what, "dlsym_missing")) {
        /* A probe for an optional symbol; its error is never asked for, so
         * libc keeps it, held by its TLS, to the end. */
        if (dlsym(RTLD_DEFAULT, "noise_libc_no_such_symbol")) return 1;
    } else {
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (run(argv[i])) {
            fprintf(stderr, "noise_libc: %s failed\n", argv[i]);
            return 1;
        }
    printf("noise_libc: ok\n");
    return 0;
}
