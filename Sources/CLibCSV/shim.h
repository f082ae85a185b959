#ifndef PILOTSCOPE_CLIBCSV_SHIM_H
#define PILOTSCOPE_CLIBCSV_SHIM_H
/* Debian's libcsv-dev ships csv.h and no pkg-config file; libcsv is LGPL: linked, not vendored. */
#include <csv.h>
#endif
