#define _GNU_SOURCE
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <fcntl.h>
#include <errno.h>
#include "CPilotShims.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define PS_X86 1
#endif

#ifdef PS_X86
/* 32 bytes a step; byte counters flushed through psadbw before they can overflow. */
__attribute__((target("avx2")))
static size_t count_avx2(const uint8_t *p, size_t n, uint8_t c) {
    size_t count = 0, i = 0;
    const __m256i needle = _mm256_set1_epi8((char)c);
    while (i + 32 <= n) {
        __m256i acc = _mm256_setzero_si256();
        size_t lim = i + 32 * 255;
        if (lim > n) lim = n;
        for (; i + 32 <= lim; i += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
            acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, needle));
        }
        __m256i sad = _mm256_sad_epu8(acc, _mm256_setzero_si256());
        count += (size_t)_mm256_extract_epi64(sad, 0) + (size_t)_mm256_extract_epi64(sad, 1)
               + (size_t)_mm256_extract_epi64(sad, 2) + (size_t)_mm256_extract_epi64(sad, 3);
    }
    for (; i < n; i++) count += (p[i] == c);
    return count;
}

static size_t count_sse2(const uint8_t *p, size_t n, uint8_t c) {
    size_t count = 0, i = 0;
    const __m128i needle = _mm_set1_epi8((char)c);
    while (i + 16 <= n) {
        __m128i acc = _mm_setzero_si128();
        size_t lim = i + 16 * 255;
        if (lim > n) lim = n;
        for (; i + 16 <= lim; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, needle));
        }
        __m128i sad = _mm_sad_epu8(acc, _mm_setzero_si128());
        count += (size_t)_mm_cvtsi128_si64(sad) + (size_t)_mm_extract_epi16(sad, 4);
    }
    for (; i < n; i++) count += (p[i] == c);
    return count;
}

static int has_avx2 = -1;
#endif

size_t CPilotShims_count_byte(const uint8_t *p, size_t n, uint8_t c) {
#ifdef PS_X86
    if (has_avx2 < 0) has_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    if (has_avx2 && n >= 256) return count_avx2(p, n, c);
    return count_sse2(p, n, c);
#else
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += (p[i] == c);
    return count;
#endif
}

size_t CPilotShims_find3(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c) {
    size_t i = 0;
#ifdef PS_X86
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b), vc = _mm_set1_epi8((char)c);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc));
        int mask = _mm_movemask_epi8(m);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        uint8_t x = p[i];
        if (x == a || x == b || x == c) return i;
    }
    return n;
}

size_t CPilotShims_find4(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    size_t i = 0;
#ifdef PS_X86
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    const __m128i vc = _mm_set1_epi8((char)c), vd = _mm_set1_epi8((char)d);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, vc), _mm_cmpeq_epi8(v, vd)));
        int mask = _mm_movemask_epi8(m);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    for (; i < n; i++) {
        uint8_t x = p[i];
        if (x == a || x == b || x == c || x == d) return i;
    }
    return n;
}

int CPilotShims_exchange(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0 ? 0 : errno;
}

/* SIGINT and SIGTERM: the handler only writes the signal number to a pipe (async-signal-safe);
   a thread of the program reads it, removes its staging directories and exits 128 + signal. */
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

static int signal_write_fd = -1;
/* Read by other threads: a lock-free atomic, which a handler may store to. */
static _Atomic int signal_received = 0;

static void on_signal(int sig) {
    int saved = errno;
    atomic_store(&signal_received, sig);
    unsigned char b = (unsigned char)sig;
    ssize_t n;
    do { n = write(signal_write_fd, &b, 1); } while (n < 0 && errno == EINTR);
    errno = saved;
}

int CPilotShims_install_signals(void) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    signal_write_fd = fds[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        /* Not half installed: a handler whose byte nobody reads would swallow the signal. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        close(fds[0]);
        close(fds[1]);
        signal_write_fd = -1;
        return -1;
    }
    /* A closed pipe (`… | head`) must end a write with EPIPE, and a file-size limit must fail a
       write, not kill the run. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    return fds[0];
}

int CPilotShims_signal_received(void) { return atomic_load(&signal_received); }

int CPilotShims_map_large_blocks(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}
