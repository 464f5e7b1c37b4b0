/* Helpers shared by the fuzz targets. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("fuzz finding: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  abort();
}

size_t fuzz_buf_sink(const void *p, size_t n, void *ctx)
{
  fuzz_buf *b = ctx;
  if (b->failed || (b->limit && n > b->limit - b->len)) {
    b->failed = true;
    return 0;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) {
      cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
      fuzz_fail("out of memory in the test sink");
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return n;
}

void fuzz_buf_free(fuzz_buf *b)
{
  free(b->data);
  memset(b, 0, sizeof *b);
}

bool fuzz_utf8_valid(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = u[i];
    size_t n;
    unsigned cp;
    unsigned min;
    if (c < 0x80) {
      i++;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (len - i < n) {
      return false;
    }
    for (size_t k = 1; k < n; k++) {
      if ((u[i + k] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (u[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

kg_db *fuzz_open_memory(void)
{
  kg_db *db = NULL;
  char *msg = NULL;
  kg_status st = kg_db_open(":memory:", 0, &msg, &db);
  if (st != KG_OK) {
    fuzz_fail("cannot open :memory: (%s)", msg ? msg : kg_strstatus(st));
  }
  return db;
}

void fuzz_check(kg_db *db, kg_status st, const char *what, ...)
{
  bool allowed = false;
  va_list ap;
  va_start(ap, what);
  for (int s = va_arg(ap, int); s != -1; s = va_arg(ap, int)) {
    if ((int)st == s) {
      allowed = true;
    }
  }
  va_end(ap);
  const char *msg = kg_errmsg(db);
  if (!allowed) {
    fuzz_fail("%s: unexpected status %s (%s)", what, kg_strstatus(st), msg);
  }
  bool failed = st != KG_OK && st != KG_ROW && st != KG_DONE;
  if (failed && !msg[0]) {
    fuzz_fail("%s: %s without a message", what, kg_strstatus(st));
  }
  if (strpbrk(msg, "\r\n")) {
    fuzz_fail("%s: message of more than one line: %s", what, msg);
  }
  if (!fuzz_utf8_valid(msg, strlen(msg))) {
    fuzz_fail("%s: message is not valid UTF-8", what);
  }
}

uint64_t fuzz_quads(kg_db *db)
{
  kg_stats s;
  kg_status st = kg_db_stats(db, &s);
  if (st != KG_OK) {
    fuzz_fail("stats: %s (%s)", kg_strstatus(st), kg_errmsg(db));
  }
  return s.quads;
}
