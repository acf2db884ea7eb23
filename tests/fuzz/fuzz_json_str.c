/* fuzz_json_str.c - libFuzzer target: ll_out_json_str on any bytes must
 * write one valid JSON string: quoted, every control byte escaped, valid
 * UTF-8 throughout.  Checked by a small validator here (not the writer's
 * own code, or a bug would check itself). */
#include "ll.h"

#include <stdlib.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (< end), 0 if invalid. */
static size_t utf8_ok(const unsigned char *s, const unsigned char *end)
{
    static const struct { unsigned char lo, hi; size_t n; } lead[] = {
        { 0xc2, 0xdf, 2 }, { 0xe0, 0xef, 3 }, { 0xf0, 0xf4, 4 } };
    for (size_t k = 0; k < 3; k++) {
        if (s[0] < lead[k].lo || s[0] > lead[k].hi)
            continue;
        size_t n = lead[k].n;
        if ((size_t)(end - s) < n)
            return 0;
        unsigned cp = s[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        return n;
    }
    return 0;
}

static void check(const unsigned char *s, size_t n)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        abort();
    for (size_t i = 1; i < n - 1;) {
        if (s[i] == '\\') {
            if (i + 1 >= n - 1)
                abort();
            if (s[i + 1] == 'u')
                i += 6;
            else if (strchr("\"\\/bfnrt", s[i + 1]))
                i += 2;
            else
                abort();
        } else if (s[i] == '"' || s[i] < 0x20) {
            abort();
        } else if (s[i] < 0x80) {
            i++;
        } else {
            size_t k = utf8_ok(s + i, s + n - 1);
            if (!k)
                abort();
            i += k;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    struct ll_out o;
    ll_out_init(&o, -1);                /* never flushed if it fits */
    size_t len = strlen(s);
    if (len * 6 + 2 > sizeof(o.buf))    /* longer than the buffer: skip */
        len = 0, s[0] = 0;
    ll_out_json_str(&o, s);
    check((const unsigned char *)o.buf, o.len);
    free(s);
    return 0;
}
