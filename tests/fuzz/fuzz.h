/* Shared by the fuzz targets and by the standalone driver that replays
 * their inputs without libFuzzer. A target reports a finding by aborting
 * with a one-line reason on standard error. */
#ifndef KG_FUZZ_H
#define KG_FUZZ_H

#include <kgraph.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry points. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with a message: the input found a bug. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

/* An in-memory output; with `limit` > 0 the sink fails once more than
 * `limit` bytes would have been written. */
typedef struct fuzz_buf {
  char *data;
  size_t len;
  size_t cap;
  size_t limit;
  bool failed;
} fuzz_buf;

size_t fuzz_buf_sink(const void *p, size_t n, void *ctx);
void fuzz_buf_free(fuzz_buf *b);

/* Is s[0..len) valid UTF-8 (NUL allowed)? */
bool fuzz_utf8_valid(const char *s, size_t len);

/* Open an empty in-memory database, or fail. */
kg_db *fuzz_open_memory(void);

/* Check a status against the allowed ones (a list ending with -1) and the
 * database's error message: one line of valid UTF-8, not empty after a
 * failure. `what` names the call in the failure message. */
void fuzz_check(kg_db *db, kg_status st, const char *what, ...);

/* Statements in the database. */
uint64_t fuzz_quads(kg_db *db);

#endif
