#ifndef PILOTSCOPE_CPILOTSHIMS_H
#define PILOTSCOPE_CPILOTSHIMS_H
#include <stddef.h>
#include <stdint.h>

/* Count bytes equal to c in [p, p+n): the quote-parity scan of the chunker. */
size_t CPilotShims_count_byte(const uint8_t *p, size_t n, uint8_t c);

/* Position of the first byte of [p, p+n) that is one of a, b, c; n if none. */
size_t CPilotShims_find3(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c);


/* Position of the first byte of [p, p+n) that is one of a, b, c, d; n if none. */
size_t CPilotShims_find4(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c, uint8_t d);

/* A hint to bring the cache line at p closer (hash map slots and entries looked up in batches). */
static inline void CPilotShims_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/* Atomically swaps two paths (renameat2 RENAME_EXCHANGE); 0 on success, else errno. */
int CPilotShims_exchange(const char *a, const char *b);

/* Installs SIGINT and SIGTERM handlers that write the signal number (one byte) to a pipe, and
   ignores SIGPIPE and SIGXFSZ; returns the pipe's read end, or -1. */
int CPilotShims_install_signals(void);
/* The signal SIGINT or SIGTERM that has arrived, or 0. */
int CPilotShims_signal_received(void);

/* glibc's malloc: every block of at least `bytes` is its own mapping, returned to the system when
   freed. (By default the threshold rises with the largest block freed, up to 32 MiB, and blocks
   under it stay in per-thread heaps once freed, which another thread's allocations cannot reuse.)
   Returns mallopt's result (1 on success) with glibc, 0 elsewhere (nothing is changed). */
int CPilotShims_map_large_blocks(int bytes);
#endif
