#ifndef PILOTSCOPE_CCRYPTO_SHIM_H
#define PILOTSCOPE_CCRYPTO_SHIM_H
/* SHA-256 of input files for summary.json (libcrypto uses SHA-NI where the CPU has it). */
#include <openssl/evp.h>
#endif
