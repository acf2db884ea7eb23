/* preload.c - can LD_PRELOAD work for COMMAND at all?
 *
 * The dynamic loader is what honours LD_PRELOAD: a static program has none
 * (no PT_INTERP program header), and a set-user-ID or set-group-ID program
 * that changes our identity runs in secure-execution mode, where the loader
 * ignores it.  Either way every report would silently be missing and the
 * gate would pass, so leakcheck refuses up front and says why. */
#include "lc.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lc_resolve(const char *argv0, char *path, size_t cap)
{
    if (strchr(argv0, '/')) {
        snprintf(path, cap, "%s", argv0);
    } else {
        const char *p = getenv("PATH");
        int found = 0;
        for (p = p ? p : "/usr/local/bin:/usr/bin:/bin"; !found && p;) {
            const char *colon = strchr(p, ':');
            int n = colon ? (int)(colon - p) : (int)strlen(p);
            snprintf(path, cap, "%.*s%s%s", n, p, n ? "/" : "", argv0);
            found = access(path, X_OK) == 0;
            p = colon ? colon + 1 : NULL;
        }
        if (!found) {
            lc_err("%s: command not found (PATH searched)", argv0);
            return 127;
        }
    }
    if (access(path, X_OK) != 0) {
        lc_err("cannot run '%s': %s", path, strerror(errno));
        return errno == ENOENT ? 127 : 126;
    }
    return 0;
}

/* 1 if the ELF file has a PT_INTERP header, 0 if not, -1 if not ELF. */
static int lc_elf_dynamic(int fd)
{
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return -1;
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return 1;                     /* 32-bit: not ours to judge; let it run */
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        off_t at = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;
        if (pread(fd, &ph, sizeof ph, at) != (ssize_t)sizeof ph)
            return -1;
        if (ph.p_type == PT_INTERP)
            return 1;
    }
    return 0;
}

/* "#!/bin/sh -e" -> "/bin/sh" in interp; 0 if the file is a script. */
static int lc_script_interp(int fd, char *interp, size_t cap)
{
    char buf[256];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 3 || buf[0] != '#' || buf[1] != '!')
        return -1;
    buf[n] = 0;
    char *s = buf + 2 + strspn(buf + 2, " \t");
    size_t len = strcspn(s, " \t\r\n");
    if (!len || len >= cap)
        return -1;
    memcpy(interp, s, len);
    interp[len] = 0;
    return 0;
}

static int lc_check_ids(const char *path, const struct stat *st)
{
    if ((st->st_mode & S_ISUID) && st->st_uid != getuid()) {
        lc_err("%s is set-user-ID: the dynamic loader ignores LD_PRELOAD for it, "
               "so libleak cannot check it (run it as its owner, or a copy "
               "without the bit)", path);
        return -1;
    }
    if ((st->st_mode & S_ISGID) && st->st_gid != getgid()) {
        lc_err("%s is set-group-ID: the dynamic loader ignores LD_PRELOAD for it, "
               "so libleak cannot check it (run it with that group, or a copy "
               "without the bit)", path);
        return -1;
    }
    return 0;
}

static int lc_check_depth(const char *path, int depth)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        /* Unreadable but executable: exec will tell; nothing to judge. */
        if (fd >= 0)
            close(fd);
        return 0;
    }
    int rc = lc_check_ids(path, &st);
    int dyn = rc ? 1 : lc_elf_dynamic(fd);
    char interp[PATH_MAX];
    if (dyn == 0) {
        lc_err("%s is statically linked: it has no dynamic loader, so LD_PRELOAD "
               "cannot load libleak into it and no leak can be reported (link it "
               "dynamically to check it)", path);
        rc = -1;
    } else if (dyn < 0 && depth < 4 && lc_script_interp(fd, interp, sizeof interp) == 0) {
        rc = lc_check_depth(interp, depth + 1);   /* a script: its interpreter */
    }
    close(fd);
    return rc;
}

int lc_check_preloadable(const char *path)
{
    return lc_check_depth(path, 0);
}
