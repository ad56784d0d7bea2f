/* fuzz_util.h: what the libFuzzer harnesses share: the input as a file, a failure that must explain itself. */
#ifndef PB_FUZZ_UTIL_H
#define PB_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point each harness defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input as a file: an anonymous memfd holding `data`, its path ("/proc/self/fd/N") in
 * `path`. Returns the descriptor (the caller closes it), or -1 when it cannot be made.
 */
int pb_fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_len);

/* A reader failed: abort (a crash libFuzzer reports) unless an error message says why. */
void pb_fuzz_failed_with_message(void);

#endif
