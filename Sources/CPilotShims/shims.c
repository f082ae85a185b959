#define _GNU_SOURCE
#include <string.h>
#include "CPilotShims.h"

const void *CPilotShims_memmem(const void *haystack, size_t hlen, const void *needle, size_t nlen) {
    return memmem(haystack, hlen, needle, nlen);
}

size_t CPilotShims_count_byte(const uint8_t *p, size_t n, uint8_t c) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += (p[i] == c);
    return count;
}

size_t CPilotShims_find3(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c) {
    for (size_t i = 0; i < n; i++) {
        uint8_t x = p[i];
        if (x == a || x == b || x == c) return i;
    }
    return n;
}

#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
int CPilotShims_exchange(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0 ? 0 : errno;
}
