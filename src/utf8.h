/* utf8.h - one rule for valid UTF-8, shared by libleak's JSON writer
 * (out.c) and leakcheck's outputs, so that a name is replaced alike in the
 * reports and in what leakcheck makes of them. */
#ifndef LL_UTF8_H
#define LL_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if there is none:
 * overlong, a surrogate, above U+10FFFF, or cut short. */
static inline size_t ll_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (c > 0xf4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
        (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

#endif
