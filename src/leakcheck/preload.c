/* preload.c - can LD_PRELOAD work for COMMAND at all?
 *
 * The dynamic loader is what honours LD_PRELOAD: a static program has none
 * (no PT_INTERP program header), and a program whose exec raises privileges
 * runs in secure-execution mode (AT_SECURE), where the loader ignores it:
 * set-user-ID or set-group-ID bits that change our identity, file
 * capabilities that grant one (or carry the effective flag) for a user
 * other than root, or any program at all when we
 * already run with an effective ID that is not our real one.  Either way
 * every report would silently be missing and the gate would pass, so
 * leakcheck refuses up front and says why.  (A security module can ask for
 * secure execution too; that cannot be known beforehand.) */
#include "lc.h"

#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* 0 if execve could run path, else the errno it would fail with: it runs
 * regular files with an execute bit only (root's access() passes any
 * directory). */
static int lc_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    if (!S_ISREG(st.st_mode))
        return EACCES;
    return access(path, X_OK) == 0 ? 0 : errno;
}

/* execvp's search: an entry that is missing, or cannot be run (a directory
 * of that name, no execute bit), is skipped; the last kind wins the error.
 * An empty entry is the current directory. */
static int lc_search(const char *argv0, char *path, size_t cap)
{
    const char *p = getenv("PATH");
    int err = ENOENT;
    for (p = p ? p : "/usr/local/bin:/usr/bin:/bin"; p;) {
        const char *colon = strchr(p, ':');
        int n = colon ? (int)(colon - p) : (int)strlen(p);
        snprintf(path, cap, "%.*s%s%s", n, p, n ? "/" : "", argv0);
        int e = lc_executable(path);
        if (!e)
            return 0;
        if (e == EACCES)
            err = EACCES;
        p = colon ? colon + 1 : NULL;
    }
    return err;
}

int lc_which(const char *argv0, char *path, size_t cap)
{
    if (strchr(argv0, '/')) {
        snprintf(path, cap, "%s", argv0);
        return lc_executable(path);
    }
    return lc_search(argv0, path, cap);
}

int lc_resolve(const char *argv0, char *path, size_t cap)
{
    int err = lc_which(argv0, path, cap);
    if (err == ENOENT && !strchr(argv0, '/')) {
        lc_err("%s: command not found (PATH searched)", argv0);
        return 127;
    }
    if (err) {
        lc_err("cannot run '%s': %s", strchr(argv0, '/') ? path : argv0, strerror(err));
        return err == ENOENT ? 127 : 126;
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

/* The process's capability bounding set (X) and inheritable set (pI), as
 * exec combines them with a file's; all bits where they cannot be read,
 * which errs on refusing. */
static uint64_t lc_bounding_set(void)
{
    uint64_t x = 0;
    int cap = 0, r;
    for (; cap < 64 && (r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++)
        x |= (uint64_t)(r == 1) << cap;
    return cap ? x : ~(uint64_t)0;
}

static uint64_t lc_inheritable_set(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &h, d) != 0)
        return ~(uint64_t)0;
    return d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

/* 1 if exec of the file would run it in secure-execution mode for a real
 * user other than root.  security/commoncap.c: bprm_caps_from_vfs_caps
 * gives pP' = (X & fP) | (pI & fI) (file capabilities clear the ambient
 * set), and cap_bprm_creds_from_file sets secureexec when the file's
 * effective flag is set or pP' is not empty (__cap_grew).  So a file with
 * inheritable capabilities only, run from a process whose inheritable set
 * does not share them (the usual case), gains nothing: LD_PRELOAD works.
 * An extended attribute of the wrong size makes exec fail (EINVAL): it
 * says so itself.  A revision 3 (user namespace) set is taken as applying
 * here, which errs on refusing. */
static int lc_file_caps_raise(int fd)
{
    struct vfs_ns_cap_data caps;
    ssize_t n = fgetxattr(fd, "security.capability", &caps, sizeof caps);
    if (n < (ssize_t)sizeof(uint32_t))
        return 0;                     /* ENODATA: none; ENOTSUP: none possible */
    uint32_t magic = le32toh(caps.magic_etc);
    switch (magic & VFS_CAP_REVISION_MASK) {
    case VFS_CAP_REVISION_1:
        if (n != XATTR_CAPS_SZ_1)
            return 0;
        caps.data[1].permitted = caps.data[1].inheritable = 0;
        break;
    case VFS_CAP_REVISION_2:
        if (n != XATTR_CAPS_SZ_2)
            return 0;
        break;
    case VFS_CAP_REVISION_3:
        if (n != XATTR_CAPS_SZ_3)
            return 0;
        break;
    default:
        return 0;
    }
    if (magic & VFS_CAP_FLAGS_EFFECTIVE)
        return 1;
    uint64_t fp = le32toh(caps.data[0].permitted) |
                  (uint64_t)le32toh(caps.data[1].permitted) << 32;
    uint64_t fi = le32toh(caps.data[0].inheritable) |
                  (uint64_t)le32toh(caps.data[1].inheritable) << 32;
    return ((lc_bounding_set() & fp) | (lc_inheritable_set() & fi)) != 0;
}

static int lc_check_caps(const char *path, int fd)
{
    if (getuid() == 0 || !lc_file_caps_raise(fd))
        return 0;
    lc_err("%s has file capabilities (security.capability) that exec would "
           "grant: the dynamic loader ignores LD_PRELOAD for it, as for a "
           "set-user-ID program, so libleak cannot check it (run it as root, "
           "or a copy without them)", path);
    return -1;
}

/* exec ignores set-ID bits (and, on a nosuid mount, file capabilities) where
 * the kernel would not honour them: no refusal there. */
static int lc_setid_honoured(int fd, int *caps)
{
    struct statvfs vfs;
    *caps = !(fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOSUID));
    return *caps && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1;
}

static int lc_check_ids(const char *path, int fd, const struct stat *st)
{
    int caps, setid = lc_setid_honoured(fd, &caps);
    if (caps && lc_check_caps(path, fd))
        return -1;
    if (!setid)
        return 0;
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
    /* A script's own set-ID bits and capabilities are ignored by exec, its
     * interpreter's count: judge the file that is really run. */
    int dyn = lc_elf_dynamic(fd), rc = 0;
    char interp[PATH_MAX];
    int script = dyn < 0 && lc_script_interp(fd, interp, sizeof interp) == 0;
    if (!script)
        rc = lc_check_ids(path, fd, &st);
    if (!rc && dyn == 0) {
        lc_err("%s is statically linked: it has no dynamic loader, so LD_PRELOAD "
               "cannot load libleak into it and no leak can be reported (link it "
               "dynamically to check it)", path);
        rc = -1;
    } else if (!rc && script && depth < 4) {
        rc = lc_check_depth(interp, depth + 1);   /* a script: its interpreter */
    }
    close(fd);
    return rc;
}

int lc_check_preloadable(const char *path)
{
    /* The kernel compares the new effective IDs with the old real ones, so
     * from a process whose IDs already differ every exec is secure. */
    if (geteuid() != getuid() || getegid() != getgid()) {
        lc_err("leakcheck runs with an effective user or group ID other than its "
               "real one: every program it starts runs in secure-execution mode, "
               "where the dynamic loader ignores LD_PRELOAD, so libleak cannot "
               "check %s (run leakcheck with equal real and effective IDs)", path);
        return -1;
    }
    return lc_check_depth(path, 0);
}
